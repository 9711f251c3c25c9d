import { index, numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { checkouts } from './checkouts';
import { customers } from './customers';

/** Orders reported by any source; one row per order id, so replays never count twice. */
export const orders = pgTable(
  'orders',
  {
    orderId: text('order_id').primaryKey(),
    checkoutId: uuid('checkout_id').references(() => checkouts.id, { onDelete: 'set null' }),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    revenue: numeric('revenue', { precision: 18, scale: 4 }).notNull(),
    currency: text('currency'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('orders_customer_idx').on(t.customerId), index('orders_checkout_idx').on(t.checkoutId)],
);

export type Order = typeof orders.$inferSelect;
