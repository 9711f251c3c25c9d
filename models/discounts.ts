import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { DiscountConditions, DiscountOffer, OfferType } from '../campaigns/discount-rules';
import { checkouts } from './checkouts';
import { customers } from './customers';
import { messages } from './recovery';
import { sources } from './sources';

/** Which discount a recovery message may carry: ordered rules, conditions and an offer (campaigns/discount-rules.ts). */
export const discountRules = pgTable('discount_rules', {
  /** Seeded rules have readable ids (`default-third-step`); rules created later get a UUID. */
  id: text('id').primaryKey().default(sql`gen_random_uuid()::text`),
  name: text('name').notNull(),
  /** Lower is considered first. */
  priority: integer('priority').notNull().default(100),
  enabled: boolean('enabled').notNull().default(true),
  conditions: jsonb('conditions').$type<DiscountConditions>().notNull().default({}),
  offer: jsonb('offer').$type<DiscountOffer>().notNull(),
  /** Optimistic concurrency for edits from the console. */
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** What a redemption recorded, returned as is when the same order redeems the code again. */
export interface DiscountRedemption {
  orderId: string;
  cartValue: number | null;
  discountValue: number | null;
  redeemedAt: string;
}

/**
 * A single-use discount code issued to one shopper: bound to a checkout and/or a customer, valid until
 * `expires_at`, redeemed at most once (`redeemed_order_id` says by which order). The offer is copied from its
 * rule at issue time, so later edits of the rule do not change codes already sent.
 */
export const discountCodes = pgTable(
  'discount_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** 12 characters of a 32-symbol alphabet without look-alikes (60 random bits), upper case. */
    code: text('code').notNull().unique(),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    ruleId: text('rule_id').references(() => discountRules.id, { onDelete: 'set null' }),
    checkoutId: uuid('checkout_id').references(() => checkouts.id, { onDelete: 'set null' }),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    /** The recovery message that carried the code, if any. */
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    type: text('type').$type<OfferType>().notNull(),
    /** Percent offers: the percent issued. */
    percent: numeric('percent', { precision: 5, scale: 2 }),
    /** Fixed-amount offers: the amount. */
    amount: numeric('amount', { precision: 18, scale: 4 }),
    maxDiscountValue: numeric('max_discount_value', { precision: 18, scale: 4 }),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** A revoked code is refused as `disabled`. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    redeemedAt: timestamp('redeemed_at', { withTimezone: true }),
    redeemedOrderId: text('redeemed_order_id'),
    redemption: jsonb('redemption').$type<DiscountRedemption>(),
  },
  (t) => [index('discount_codes_checkout_idx').on(t.checkoutId), index('discount_codes_customer_idx').on(t.customerId)],
);

export type DiscountRuleRow = typeof discountRules.$inferSelect;
export type DiscountCodeRow = typeof discountCodes.$inferSelect;
