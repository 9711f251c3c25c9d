import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export type ModelVersionStatus =
  /** Trained and evaluated, not chosen (it did not beat the promoted one, or was rolled back from). */
  | 'candidate'
  /** The one every process decides with; at most one at a time. */
  | 'promoted'
  /** Was promoted once, replaced since; a marketer can roll back to it. */
  | 'retired';

/** One trained recovery model: its weights, how it scored on the holdout, and whether it decides now. */
export const modelVersions = pgTable(
  'model_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Shown as "v12". */
    number: serial('number').notNull(),
    status: text('status').$type<ModelVersionStatus>().notNull().default('candidate'),
    /** The serialized TF.js model (weights, shapes, normalisation); plain JSON so any process can load it. */
    model: jsonb('model').notNull(),
    featureSchemaVersion: integer('feature_schema_version').notNull(),
    metrics: jsonb('metrics').notNull(),
    /** Why it was (or was not) promoted when it was trained. */
    verdict: text('verdict').notNull(),
    trainingRunId: uuid('training_run_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    promotedAt: timestamp('promoted_at', { withTimezone: true }),
    promotedBy: text('promoted_by'),
  },
  (t) => [uniqueIndex('model_versions_one_promoted').on(t.status).where(sql`status = 'promoted'`)],
);

export type ModelVersionRow = typeof modelVersions.$inferSelect;

export type TrainingRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** One training job, nightly or asked for: its progress while it runs and its outcome after. */
export const trainingRuns = pgTable(
  'training_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trigger: text('trigger').$type<'nightly' | 'manual' | 'cli'>().notNull(),
    /** The nightly run's date ("2026-11-26"), so replicas of the scheduler enqueue it once. */
    dedupeKey: text('dedupe_key'),
    requestedBy: text('requested_by'),
    status: text('status').$type<TrainingRunStatus>().notNull().default('queued'),
    progress: integer('progress').notNull().default(0),
    stage: text('stage'),
    error: text('error'),
    /** Counts, metrics and the promotion verdict. */
    result: jsonb('result'),
    modelVersionId: uuid('model_version_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('training_runs_dedupe_unique').on(t.dedupeKey), index('training_runs_created_idx').on(t.createdAt)],
);

export type TrainingRunRow = typeof trainingRuns.$inferSelect;

/** The send-time bandit's counts: first reminders sent after `armMinutes` to a segment, and how many recovered. */
export const sendTimeStats = pgTable(
  'send_time_stats',
  {
    segment: text('segment').notNull(),
    armMinutes: integer('arm_minutes').notNull(),
    successes: integer('successes').notNull().default(0),
    failures: integer('failures').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.segment, t.armMinutes] })],
);
