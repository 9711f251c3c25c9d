import { index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const CONSENT_CHANNELS = ['email', 'sms', 'push'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

export interface ConsentStatement {
  granted: boolean;
  at: string;
  by: string;
}

/** The projection of everything we know about one shopper. */
export const customers = pgTable('customers', {
  id: uuid('id').primaryKey(),
  /** The merchant's own customer id, once the shopper is identified. */
  userId: text('user_id'),
  email: text('email'),
  phone: text('phone'),
  timezone: text('timezone'),
  locale: text('locale'),
  /** Per channel, the latest consent statement: `{ granted, at, by }` (`by` is the key of the event that said so). */
  consent: jsonb('consent').$type<Partial<Record<ConsentChannel, ConsentStatement>>>().notNull().default({}),
  ordersCount: integer('orders_count').notNull().default(0),
  lifetimeValue: numeric('lifetime_value', { precision: 18, scale: 4 }).notNull().default('0'),
  firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull(),
  /** Truncated to the hour. */
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
  /** Which event last set each last-writer-wins field, so late events never overwrite newer facts. */
  clocks: jsonb('clocks').notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Identifiers that lead to a customer: the merchant's user id, an anonymous id, an email address. */
export const customerAliases = pgTable(
  'customer_aliases',
  {
    kind: text('kind').$type<'user' | 'anonymous' | 'email'>().notNull(),
    value: text('value').notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] }), index('customer_aliases_customer_idx').on(t.customerId)],
);

/** Web Push subscriptions (RFC 8030 endpoint + RFC 8291 keys) a shopper granted. */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    endpoint: text('endpoint').primaryKey(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    subscribedAt: timestamp('subscribed_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('push_subscriptions_customer_idx').on(t.customerId)],
);

export type Customer = typeof customers.$inferSelect;
export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;
