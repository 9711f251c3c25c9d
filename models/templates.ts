import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Message templates, one per key and channel. Bodies are Mustache templates: `{{ }}` escapes
 * (HTML-escaped in email HTML), so customer data can never inject markup.
 */
export const templates = pgTable('templates', {
  key: text('key').primaryKey(),
  channel: text('channel').$type<'email' | 'push' | 'sms'>().notNull(),
  name: text('name').notNull(),
  /** Email subject or push title. */
  subject: text('subject'),
  /** Email HTML. */
  html: text('html'),
  /** Email text part, push body or SMS body. */
  text: text('text').notNull(),
  version: integer('version').notNull().default(1),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type TemplateRow = typeof templates.$inferSelect;
