import { sql } from 'drizzle-orm';
import { index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { ChannelKind } from '../campaigns/types';
import { campaigns } from './campaigns';
import { checkouts } from './checkouts';
import { customers } from './customers';

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
  },
  (t) => [uniqueIndex('enrollments_checkout_unique').on(t.checkoutId), index('enrollments_customer_idx').on(t.customerId)],
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
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Why this channel and time: the planner's decision (deferrals, skipped channels) and later the policy's. */
    decision: jsonb('decision').notNull().default({}),
    providerMessageId: text('provider_message_id'),
    error: text('error'),
    cancelReason: text('cancel_reason'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
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
