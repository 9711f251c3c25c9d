import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Secrets and keys generated on first start and shared by every process (VAPID keys, link-signing secret). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
