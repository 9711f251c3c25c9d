import { sql } from 'drizzle-orm';
import { index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers';
import { sources } from './sources';

export type CheckoutStage = 'cart' | 'started' | 'contact' | 'shipping' | 'payment' | 'completed';
export type CheckoutStatus = 'active' | 'abandoned' | 'recovered' | 'completed' | 'expired';

export interface CartItem {
  sku: string;
  name?: string;
  quantity: number;
  unit_price: number;
  image_url?: string;
  url?: string;
  [extra: string]: unknown;
}

export interface CartSnapshot {
  items: CartItem[];
  value: number;
  currency: string;
}

/** The live picture of one checkout, projected from its events in the same transaction as their insert. */
export const checkouts = pgTable(
  'checkouts',
  {
    id: uuid('id').primaryKey(),
    /** The merchant's identifier for the checkout (checkout id, else cart id, else order id). */
    externalId: text('external_id').notNull(),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    status: text('status').$type<CheckoutStatus>().notNull().default('active'),
    stage: text('stage').$type<CheckoutStage>().notNull(),
    /** When each stage was first reached: `{ started: iso, contact: iso, ... }`. */
    stageReachedAt: jsonb('stage_reached_at').$type<Partial<Record<CheckoutStage, string>>>().notNull().default({}),
    email: text('email'),
    phone: text('phone'),
    cart: jsonb('cart').$type<CartSnapshot>(),
    cartValue: numeric('cart_value', { precision: 18, scale: 4 }),
    /** The cart's value when the checkout was first seen. */
    initialCartValue: numeric('initial_cart_value', { precision: 18, scale: 4 }),
    currency: text('currency'),
    itemCount: integer('item_count').notNull().default(0),
    device: text('device'),
    /** Latest browsing context (page, user agent, ip). */
    context: jsonb('context'),
    /** First-touch campaign attribution (utm_*). */
    utm: jsonb('utm'),
    orderId: text('order_id'),
    orderRevenue: numeric('order_revenue', { precision: 18, scale: 4 }),
    orderCurrency: text('order_currency'),
    paymentErrors: integer('payment_errors').notNull().default(0),
    eventCount: integer('event_count').notNull().default(0),
    firstActivityAt: timestamp('first_activity_at', { withTimezone: true }).notNull(),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** Set by the abandonment sweep: when, and the signals about why (stage, device, cart change, errors, time on step). */
    abandonedAt: timestamp('abandoned_at', { withTimezone: true }),
    abandonment: jsonb('abandonment'),
    /** Set when an order lands inside the attribution window of an engaged recovery message. */
    recoveredAt: timestamp('recovered_at', { withTimezone: true }),
    recoveredByMessageId: uuid('recovered_by_message_id'),
    clocks: jsonb('clocks').notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('checkouts_customer_idx').on(t.customerId),
    // The abandonment sweep's search: active checkouts by idle time. Partial, so finished checkouts cost nothing.
    index('checkouts_active_idle_idx').on(t.lastActivityAt).where(sql`status = 'active'`),
  ],
);

/** Every identifier a checkout has been seen under; events carrying any of them join the same checkout. */
export const checkoutAliases = pgTable(
  'checkout_aliases',
  {
    kind: text('kind').$type<'checkout' | 'cart' | 'order'>().notNull(),
    value: text('value').notNull(),
    checkoutId: uuid('checkout_id')
      .notNull()
      .references(() => checkouts.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] }), index('checkout_aliases_checkout_idx').on(t.checkoutId)],
);

export type Checkout = typeof checkouts.$inferSelect;
