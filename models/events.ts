import { index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sources } from './sources';

/** Every accepted event exactly as it arrived; the checkout and customer projections are built from these. */
export const events = pgTable(
  'events',
  {
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    /** The dedupe key: our `event_id`, Segment's `messageId` or Shopify's webhook id. */
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** `api`, `segment` or `shopify`: which mapper read the payload. */
    origin: text('origin').notNull(),
    checkoutId: uuid('checkout_id'),
    customerId: uuid('customer_id'),
    payload: jsonb('payload').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.sourceId, t.eventId] }),
    index('events_checkout_idx').on(t.checkoutId, t.occurredAt),
    index('events_customer_idx').on(t.customerId),
  ],
);

export type StoredEvent = typeof events.$inferSelect;
