import { boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** A place events come from: a storefront, a Segment/RudderStack pipeline or a Shopify store. */
export const sources = pgTable('sources', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  /** SHA-256 of the write key, hex. Write keys are random 192-bit tokens, so a fast hash is enough. */
  writeKeyHash: text('write_key_hash').notNull().unique(),
  /** First characters of the key, so people can tell keys apart without seeing them. */
  writeKeyPrefix: text('write_key_prefix').notNull(),
  /**
   * SHA-256 of the storefront's server key (`sk_...`): the secret its back end uses for the checkout API and
   * shoppers' profiles. Unlike the write key it never reaches a browser.
   */
  serverKeyHash: text('server_key_hash').unique(),
  serverKeyPrefix: text('server_key_prefix'),
  /** Shared secret Shopify signs webhooks with (needed in clear to verify HMACs). */
  shopifySecret: text('shopify_secret'),
  /** Storefront origins allowed to call the ingestion API from a browser. */
  allowedOrigins: text('allowed_origins').array().notNull().default([]),
  /** EU stores: abandoned-checkout email only with an explicit opt-in (otherwise unless opted out). */
  requireEmailOptIn: boolean('require_email_opt_in').notNull().default(false),
  /** ISO 4217 code for Ecommerce events that do not name their currency (Segment's spec does not require one). */
  defaultCurrency: text('default_currency').notNull().default('USD'),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
});

export type Source = typeof sources.$inferSelect;
