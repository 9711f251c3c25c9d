import { sql } from 'drizzle-orm';
import { index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PostalAddress } from '../server/checkout/addresses/address';
import { checkouts, type CartSnapshot } from './checkouts';
import { paymentMethods } from './profiles';
import { sources } from './sources';

export interface ShippingMethod {
  id: string;
  label: string;
  amount: number;
}

export interface CheckoutContact {
  email?: string;
  phone?: string;
}

/**
 * - `open`: being filled in;
 * - `charging`: one `complete` owns the payment (a crash here is reconciled, never charged twice);
 * - `completed`: paid, the order recorded.
 */
export type CheckoutSessionState = 'open' | 'charging' | 'completed';

/**
 * What the checkout API knows beyond the projection: the cart it will charge for, the chosen address, shipping
 * and payment method, the discount code, and the payment state. One row per API checkout (or per recovered
 * checkout opened from a reminder), keyed by the projection's checkout id.
 */
export const checkoutSessions = pgTable(
  'checkout_sessions',
  {
    checkoutId: uuid('checkout_id')
      .primaryKey()
      .references(() => checkouts.id, { onDelete: 'cascade' }),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    /** The id storefronts use in the API (`co_...`), also the checkout's external id in events. */
    publicId: text('public_id').notNull().unique(),
    customerRef: text('customer_ref'),
    cart: jsonb('cart').$type<CartSnapshot>().notNull(),
    contact: jsonb('contact').$type<CheckoutContact>().notNull().default({}),
    shippingAddress: jsonb('shipping_address').$type<PostalAddress>(),
    shippingMethod: jsonb('shipping_method').$type<ShippingMethod>(),
    paymentMethodId: uuid('payment_method_id').references(() => paymentMethods.id),
    discountCode: text('discount_code'),
    discountValue: numeric('discount_value', { precision: 18, scale: 4 }).notNull().default('0'),
    state: text('state').$type<CheckoutSessionState>().notNull().default('open'),
    /** Set when a `complete` takes the payment; every provider call of that payment derives its keys from it. */
    chargeKey: uuid('charge_key'),
    chargingSince: timestamp('charging_since', { withTimezone: true }),
    orderId: text('order_id'),
    /** What `complete` answered, returned to every later caller. */
    result: jsonb('result'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [index('checkout_sessions_charging_idx').on(t.chargingSince).where(sql`state = 'charging'`)],
);

/**
 * `Idempotency-Key`s of `complete` requests: the same key with the same body returns the stored answer, with
 * another body a 422.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    key: text('key').notNull(),
    /** SHA-256 of the route and the canonical body. */
    requestHash: text('request_hash').notNull(),
    checkoutId: uuid('checkout_id'),
    status: integer('status'),
    response: jsonb('response'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.key] })],
);

export type PaymentAttemptStatus =
  /** Sent; no answer recorded yet (a crash here is settled by the reconciler). */
  | 'pending'
  | 'succeeded'
  | 'declined'
  /** Network error, timeout or 5xx; confirmed not charged (voided or found unpaid), so another provider may try. */
  | 'failed'
  /** Unavailable and the provider could not say whether it charged: no failover, held for reconciliation. */
  | 'unknown';

/** Every call to a payment provider, in order; the record failover and the per-card limit are decided from. */
export const paymentAttempts = pgTable(
  'payment_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    checkoutId: uuid('checkout_id')
      .notNull()
      .references(() => checkouts.id, { onDelete: 'cascade' }),
    chargeKey: uuid('charge_key').notNull(),
    /** 1 for the primary provider, 2 for the first fallback, ... */
    sequence: integer('sequence').notNull(),
    paymentMethodId: uuid('payment_method_id').references(() => paymentMethods.id),
    provider: text('provider').notNull(),
    /** Sent to the provider as its idempotency key and our reference: `<charge key>:<sequence>`. */
    idempotencyKey: text('idempotency_key').notNull(),
    amount: numeric('amount', { precision: 18, scale: 4 }).notNull(),
    currency: text('currency').notNull(),
    status: text('status').$type<PaymentAttemptStatus>().notNull().default('pending'),
    providerReference: text('provider_reference'),
    declineCode: text('decline_code'),
    failure: text('failure'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('payment_attempts_key').on(t.idempotencyKey),
    index('payment_attempts_checkout_idx').on(t.checkoutId),
    index('payment_attempts_method_idx').on(t.paymentMethodId, t.startedAt),
  ],
);

export type CheckoutSessionRow = typeof checkoutSessions.$inferSelect;
export type PaymentAttemptRow = typeof paymentAttempts.$inferSelect;
