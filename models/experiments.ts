import { date, doublePrecision, integer, numeric, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Arm } from '../campaigns/experiments/holdout';

/** An outcome's group: an arm, or `untested` for a treated enrollment that had no chance of being held out. */
export type OutcomeGroup = Arm | 'untested';

/**
 * What the reminders cause, measured by intent to treat: every enrollment, treated or held out, is followed for the
 * campaign's attribution window counted from abandonment. When that window has closed (and nothing more can be sent)
 * the settler (`server/experiments/outcome-settler.ts`) writes its outcome here once and adds it to the rollups in the
 * same transaction; the Lift report reads only the rollups.
 */
export const experimentOutcomes = pgTable('experiment_outcomes', {
  enrollmentId: uuid('enrollment_id').primaryKey(),
  campaignId: uuid('campaign_id').notNull(),
  /** The UTC day of abandonment: the cohort the report's date range selects. */
  day: date('day').notNull(),
  arm: text('arm').$type<OutcomeGroup>().notNull(),
  controlProbability: doublePrecision('control_probability').notNull(),
  /** An order of the checkout or of the shopper within the window. */
  converted: smallint('converted').notNull(),
  orderedAt: timestamp('ordered_at', { withTimezone: true }),
  /** The first such order's revenue. */
  revenue: numeric('revenue', { precision: 18, scale: 4 }).notNull(),
  /** Redeemed codes issued by the enrollment's messages. */
  discountCost: numeric('discount_cost', { precision: 18, scale: 4 }).notNull(),
  /** Messages handed to a provider, at the configured cost per channel. */
  messageCost: numeric('message_cost', { precision: 18, scale: 4 }).notNull(),
  /** revenue × margin rate − discount cost − message cost, with the economics in force when it was decided. */
  netMargin: numeric('net_margin', { precision: 18, scale: 4 }).notNull(),
  messagesSent: integer('messages_sent').notNull(),
  unsubscribed: smallint('unsubscribed').notNull(),
  decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
});

export type ExperimentOutcomeRow = typeof experimentOutcomes.$inferSelect;

/**
 * The measures both lift rollups keep per group: plain totals for display, and for each metric (converted, revenue,
 * net margin) the inverse-probability-weighted sums `lift-statistics.ts` estimates from (w = 1 / P(group)).
 */
const measures = () => ({
  units: integer('units').notNull(),
  converted: integer('converted').notNull(),
  revenue: numeric('revenue', { precision: 18, scale: 4 }).notNull(),
  discountCost: numeric('discount_cost', { precision: 18, scale: 4 }).notNull(),
  messageCost: numeric('message_cost', { precision: 18, scale: 4 }).notNull(),
  netMargin: numeric('net_margin', { precision: 18, scale: 4 }).notNull(),
  messagesSent: integer('messages_sent').notNull(),
  unsubscribed: integer('unsubscribed').notNull(),
  w: doublePrecision('w').notNull(),
  w2: doublePrecision('w2').notNull(),
  convWy: doublePrecision('conv_wy').notNull(),
  convW2y: doublePrecision('conv_w2y').notNull(),
  convW2y2: doublePrecision('conv_w2y2').notNull(),
  revWy: doublePrecision('rev_wy').notNull(),
  revW2y: doublePrecision('rev_w2y').notNull(),
  revW2y2: doublePrecision('rev_w2y2').notNull(),
  netWy: doublePrecision('net_wy').notNull(),
  netW2y: doublePrecision('net_w2y').notNull(),
  netW2y2: doublePrecision('net_w2y2').notNull(),
});

/** Holdout rollup: decided enrollments per abandonment day, campaign and arm. */
export const reportLiftDaily = pgTable(
  'report_lift_daily',
  {
    day: date('day').notNull(),
    campaignId: uuid('campaign_id').notNull(),
    arm: text('arm').$type<OutcomeGroup>().notNull(),
    ...measures(),
  },
  (t) => [primaryKey({ name: 'report_lift_daily_pk', columns: [t.campaignId, t.day, t.arm] })],
);

/** A/B/n rollup: decided treated enrollments per abandonment day, campaign, step and the variant they were given. */
export const reportVariantDaily = pgTable(
  'report_variant_daily',
  {
    day: date('day').notNull(),
    campaignId: uuid('campaign_id').notNull(),
    stepIndex: integer('step_index').notNull(),
    variant: text('variant').notNull(),
    ...measures(),
  },
  (t) => [primaryKey({ name: 'report_variant_daily_pk', columns: [t.campaignId, t.stepIndex, t.day, t.variant] })],
);
