import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PostalAddress } from '../server/checkout/addresses/address';
import { sources } from './sources';

/**
 * A shopper's saved shipping addresses, owned by (source, the merchant's customer id). The storefront's server
 * authenticates with its server key and names the customer; no other key or customer reaches these rows.
 */
export const savedAddresses = pgTable(
  'saved_addresses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    customerRef: text('customer_ref').notNull(),
    label: text('label'),
    /** Normalised by the address validator before it is stored. */
    address: jsonb('address').$type<PostalAddress>().notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('saved_addresses_owner_idx').on(t.sourceId, t.customerRef),
    uniqueIndex('saved_addresses_one_default').on(t.sourceId, t.customerRef).where(sql`is_default`),
  ],
);

/**
 * Tokenized payment methods: a provider's token and what a shopper needs to recognise the card (brand, last 4,
 * expiry). Never a card number or CVC. `fallbackTokens` holds the same card vaulted at other providers, which is
 * what makes failover to them possible.
 */
export const paymentMethods = pgTable(
  'payment_methods',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    customerRef: text('customer_ref').notNull(),
    provider: text('provider').notNull(),
    token: text('token').notNull(),
    fallbackTokens: jsonb('fallback_tokens').$type<Record<string, string>>().notNull().default({}),
    brand: text('brand').notNull(),
    last4: text('last4').notNull(),
    expMonth: integer('exp_month').notNull(),
    expYear: integer('exp_year').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    index('payment_methods_owner_idx').on(t.sourceId, t.customerRef),
    uniqueIndex('payment_methods_one_default').on(t.sourceId, t.customerRef).where(sql`is_default AND removed_at IS NULL`),
    check('payment_methods_last4', sql`last4 ~ '^[0-9]{4}$'`),
    check('payment_methods_exp_month', sql`exp_month BETWEEN 1 AND 12`),
  ],
);

export type SavedAddressRow = typeof savedAddresses.$inferSelect;
export type PaymentMethodRow = typeof paymentMethods.$inferSelect;
