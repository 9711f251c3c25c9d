import { date, index, integer, numeric, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Reports are read from rollups kept up to date incrementally, never from scans of the raw rows.
 *
 * Triggers (migration 0006) append the id of every checkout whose report-relevant facts may have changed
 * (its row, its enrollment, messages, engagements, discount codes, its customer's orders) to
 * `report_dirty_checkouts`; ingestion pays one small INSERT per statement and takes no lock on the rollups.
 * The folder (`server/reports/report-folder.ts`) takes a batch of dirty ids and, in one transaction,
 * subtracts what the rollups counted for those checkouts (their `report_checkout_facts` and
 * `report_message_facts` rows), recomputes the facts from the raw rows and adds them back. Folding a checkout
 * twice changes nothing, and the dirty marks are deleted in the transaction that folds them: exactly once.
 */

/** Checkouts whose facts changed since they were last folded (duplicates allowed; no index, append only). */
export const reportDirtyCheckouts = pgTable('report_dirty_checkouts', {
  checkoutId: uuid('checkout_id').notNull(),
});

/** What the rollups currently count for one checkout: its funnel walk and its recovery outcome. */
export const reportCheckoutFacts = pgTable(
  'report_checkout_facts',
  {
    checkoutId: uuid('checkout_id').primaryKey(),
    /** The funnel cohort: the UTC day the checkout started (its earliest checkout step); null outside the funnel. */
    startedDay: date('started_day'),
    sourceId: uuid('source_id').notNull(),
    device: text('device').notNull(),
    /** `returning` when the shopper had an order before the checkout started, else `new`. */
    customerType: text('customer_type').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    contactAt: timestamp('contact_at', { withTimezone: true }),
    shippingAt: timestamp('shipping_at', { withTimezone: true }),
    paymentAt: timestamp('payment_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** The latest step time: a checkout can only be inside a conversion window when this is recent. */
    lastStepAt: timestamp('last_step_at', { withTimezone: true }),
    /** Per step, the delay bucket since the previous step reached (0: not reached); see `DELAY_BUCKETS`. */
    contactBucket: smallint('contact_bucket').notNull(),
    shippingBucket: smallint('shipping_bucket').notNull(),
    paymentBucket: smallint('payment_bucket').notNull(),
    completedBucket: smallint('completed_bucket').notNull(),
    /** The recovery cohort: the UTC day the checkout was abandoned; null when it never was. */
    abandonedDay: date('abandoned_day'),
    abandonedAt: timestamp('abandoned_at', { withTimezone: true }),
    /** The campaign it entered; the nil UUID when none took it. */
    campaignId: uuid('campaign_id'),
    contacted: smallint('contacted').notNull(),
    recovered: smallint('recovered').notNull(),
    recoveredAt: timestamp('recovered_at', { withTimezone: true }),
    recoveredRevenue: numeric('recovered_revenue', { precision: 18, scale: 4 }).notNull(),
    discountCost: numeric('discount_cost', { precision: 18, scale: 4 }).notNull(),
  },
  (t) => [
    index('report_checkout_facts_started_idx').on(t.startedDay),
    index('report_checkout_facts_last_step_idx').on(t.lastStepAt),
    index('report_checkout_facts_abandoned_idx').on(t.abandonedAt),
    index('report_checkout_facts_recovered_idx').on(t.recoveredAt),
  ],
);

/** What the rollups currently count for one recovery message. */
export const reportMessageFacts = pgTable(
  'report_message_facts',
  {
    messageId: uuid('message_id').primaryKey(),
    checkoutId: uuid('checkout_id').notNull(),
    abandonedDay: date('abandoned_day').notNull(),
    campaignId: uuid('campaign_id').notNull(),
    stepIndex: integer('step_index').notNull(),
    channel: text('channel').notNull(),
    sent: smallint('sent').notNull(),
    delivered: smallint('delivered').notNull(),
    opened: smallint('opened').notNull(),
    clicked: smallint('clicked').notNull(),
    unsubscribed: smallint('unsubscribed').notNull(),
    recovered: smallint('recovered').notNull(),
    recoveredRevenue: numeric('recovered_revenue', { precision: 18, scale: 4 }).notNull(),
    discountCost: numeric('discount_cost', { precision: 18, scale: 4 }).notNull(),
    /** 1 on the checkout's first sent message of this step / on this channel: counts the checkout as contacted there. */
    firstOfStep: smallint('first_of_step').notNull(),
    firstOfChannel: smallint('first_of_channel').notNull(),
  },
  (t) => [index('report_message_facts_checkout_idx').on(t.checkoutId)],
);

/** Funnel rollup: started checkouts per UTC day and dimensions, by their per-step delay buckets. */
export const reportFunnelDaily = pgTable(
  'report_funnel_daily',
  {
    day: date('day').notNull(),
    sourceId: uuid('source_id').notNull(),
    device: text('device').notNull(),
    customerType: text('customer_type').notNull(),
    contactBucket: smallint('contact_bucket').notNull(),
    shippingBucket: smallint('shipping_bucket').notNull(),
    paymentBucket: smallint('payment_bucket').notNull(),
    completedBucket: smallint('completed_bucket').notNull(),
    checkouts: integer('checkouts').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'report_funnel_daily_pk',
      columns: [t.day, t.sourceId, t.device, t.customerType, t.contactBucket, t.shippingBucket, t.paymentBucket, t.completedBucket],
    }),
  ],
);

/** Recovery rollup, checkout level: per abandonment day and campaign. */
export const reportRecoveryDaily = pgTable(
  'report_recovery_daily',
  {
    day: date('day').notNull(),
    campaignId: uuid('campaign_id').notNull(),
    abandoned: integer('abandoned').notNull(),
    contacted: integer('contacted').notNull(),
    recovered: integer('recovered').notNull(),
    recoveredRevenue: numeric('recovered_revenue', { precision: 18, scale: 4 }).notNull(),
    discountCost: numeric('discount_cost', { precision: 18, scale: 4 }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_recovery_daily_pk', columns: [t.day, t.campaignId] })],
);

/** Recovery rollup, message level: per abandonment day, campaign, step and channel. */
export const reportMessageDaily = pgTable(
  'report_message_daily',
  {
    day: date('day').notNull(),
    campaignId: uuid('campaign_id').notNull(),
    stepIndex: integer('step_index').notNull(),
    channel: text('channel').notNull(),
    sent: integer('sent').notNull(),
    delivered: integer('delivered').notNull(),
    opened: integer('opened').notNull(),
    clicked: integer('clicked').notNull(),
    unsubscribed: integer('unsubscribed').notNull(),
    recovered: integer('recovered').notNull(),
    recoveredRevenue: numeric('recovered_revenue', { precision: 18, scale: 4 }).notNull(),
    discountCost: numeric('discount_cost', { precision: 18, scale: 4 }).notNull(),
    contactedStep: integer('contacted_step').notNull(),
    contactedChannel: integer('contacted_channel').notNull(),
  },
  (t) => [primaryKey({ name: 'report_message_daily_pk', columns: [t.day, t.campaignId, t.stepIndex, t.channel] })],
);
