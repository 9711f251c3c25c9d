import { doublePrecision, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { CampaignStep, Eligibility, FrequencyCap, QuietHours } from '../campaigns/types';

/** A recovery campaign: when a checkout counts as abandoned, who is eligible, and the timed steps. */
export const campaigns = pgTable('campaigns', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  status: text('status').$type<'active' | 'paused'>().notNull().default('active'),
  priority: integer('priority').notNull().default(100),
  triggerIdleMinutes: integer('trigger_idle_minutes').notNull().default(30),
  eligibility: jsonb('eligibility').$type<Eligibility>().notNull().default({}),
  steps: jsonb('steps').$type<CampaignStep[]>().notNull(),
  quietHours: jsonb('quiet_hours').$type<QuietHours>().notNull().default({ start: '21:00', end: '08:00' }),
  frequencyCap: jsonb('frequency_cap').$type<FrequencyCap>().notNull().default({ maxMessages: 3, windowHours: 168, minGapHours: 12 }),
  expiryHours: integer('expiry_hours').notNull().default(168),
  attributionWindowHours: integer('attribution_window_hours').notNull().default(120),
  /** Percent (0–50) of abandonments held out as control: planned, never sent. */
  holdoutPercent: doublePrecision('holdout_percent').notNull().default(0),
  /** Optimistic concurrency for edits from the console. */
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type CampaignRow = typeof campaigns.$inferSelect;
