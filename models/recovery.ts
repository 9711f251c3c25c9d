import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Arm } from '../campaigns/experiments/holdout';
import type { ChannelKind } from '../campaigns/types';
import { campaigns } from './campaigns';
import { checkouts } from './checkouts';
import { customers } from './customers';

/** How an enrollment's group was drawn (campaigns/experiments/holdout.ts), kept for audits. */
export interface EnrollmentAssignment {
  /** The identity the hash was keyed on. */
  unit: 'customer' | 'email' | 'shopper' | 'checkout';
  holdout: 'global' | 'campaign' | null;
  globalPercent: number;
  campaignPercent: number;
  /** The experiment period (the secret's generation) the draw was made in. */
  period: number;
  positions: { global: number; campaign: number };
}

/** A checkout's passage through one campaign. A checkout enters at most one campaign. */
export const enrollments = pgTable(
  'enrollments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    checkoutId: uuid('checkout_id')
      .notNull()
      .references(() => checkouts.id, { onDelete: 'cascade' }),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    status: text('status').$type<'active' | 'completed' | 'recovered' | 'exited'>().notNull().default('active'),
    exitReason: text('exit_reason'),
    abandonedAt: timestamp('abandoned_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** `control`: held out, every message planned and withheld; `treatment`: sent as planned. Never changes. */
    arm: text('arm').$type<Arm>().notNull().default('treatment'),
    /** The probability of control the enrollment had when it was assigned (what the lift analysis weights by). */
    controlProbability: doublePrecision('control_probability').notNull().default(0),
    assignment: jsonb('assignment').$type<EnrollmentAssignment>(),
    /** When its outcome was counted in the lift rollups (its window from abandonment had closed). */
    settledAt: timestamp('settled_at', { withTimezone: true }),
    /** The decision policy's "send nothing more" that ended it (context, propensity, reason), for the console and training. */
    stopDecision: jsonb('stop_decision'),
  },
  (t) => [
    uniqueIndex('enrollments_checkout_unique').on(t.checkoutId),
    index('enrollments_customer_idx').on(t.customerId),
    // Only enrollments still to settle: the settler's queue and the lift report's "open" counts.
    index('enrollments_unsettled_idx').on(t.abandonedAt).where(sql`settled_at IS NULL`),
    check('enrollments_arm_known', sql`arm IN ('treatment', 'control')`),
    check('enrollments_control_probability_range', sql`control_probability >= 0 AND control_probability < 1`),
  ],
);

export type MessageStatus =
  /** Planned: a row with a delayed job as its wake-up. */
  | 'planned'
  /** Handed (or being handed) to the provider; a row left here by a crash is reported, never resent. */
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'failed'
  /** Stopped before sending: order, unsubscribe, expiry, consent withdrawn. */
  | 'cancelled'
  /** A control enrollment's message at its send time: recorded as what would have been sent, never sent. */
  | 'withheld'
  /** Left in `sending` by a crash: the provider may or may not have it. */
  | 'unknown';

/** One recovery message: the truth about what is planned, sent and what happened to it. */
export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Idempotency key: enrollment + step + channel; the BullMQ job id and the provider's idempotency key. */
    key: text('key').notNull().unique(),
    enrollmentId: uuid('enrollment_id')
      .notNull()
      .references(() => enrollments.id, { onDelete: 'cascade' }),
    checkoutId: uuid('checkout_id')
      .notNull()
      .references(() => checkouts.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    stepIndex: integer('step_index').notNull(),
    channel: text('channel').$type<ChannelKind>().notNull(),
    status: text('status').$type<MessageStatus>().notNull().default('planned'),
    /** The enrollment's arm, copied when the row is planned: a control message can never be sending or sent. */
    arm: text('arm').$type<Arm>().notNull().default('treatment'),
    /** The step's A/B/n variant this message carries (its probability is in `decision.variant`). */
    variant: text('variant'),
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Why this channel and time: the planner's decision (deferrals, skipped channels) and later the policy's. */
    decision: jsonb('decision').notNull().default({}),
    providerMessageId: text('provider_message_id'),
    error: text('error'),
    cancelReason: text('cancel_reason'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** When a control message would have been sent. */
    withheldAt: timestamp('withheld_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    clickedAt: timestamp('clicked_at', { withTimezone: true }),
    /** Revenue of the order this message is credited with. */
    recoveredRevenue: numeric('recovered_revenue', { precision: 18, scale: 4 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('messages_checkout_idx').on(t.checkoutId),
    index('messages_enrollment_idx').on(t.enrollmentId),
    index('messages_customer_idx').on(t.customerId, t.sentAt),
    // Partial: only what the reconciler looks for, so the many later updates of a message cost no entries here.
    index('messages_planned_due_idx').on(t.scheduledFor).where(sql`status = 'planned'`),
    index('messages_provider_idx').on(t.providerMessageId).where(sql`provider_message_id IS NOT NULL`),
    // The holdout's guarantee, held by the database whatever the code does: control messages are never handed over.
    check('messages_control_never_sent', sql`arm = 'treatment' OR status IN ('planned', 'withheld', 'cancelled')`),
  ],
);

export type MessageRow = typeof messages.$inferSelect;

/** Opens, clicks, deliveries, bounces, unsubscribes: what happened to a message, as it was reported. */
export const messageEngagements = pgTable(
  'message_engagements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'delivered' | 'opened' | 'clicked' | 'failed' | 'unsubscribed' | 'bounced'>().notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    detail: jsonb('detail').notNull().default({}),
  },
  (t) => [index('message_engagements_message_idx').on(t.messageId, t.at)],
);
