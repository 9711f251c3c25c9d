import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PG_POOL } from '../database/database';
import { inTransaction } from '../database/transaction';
import { BackgroundBatches, takeBatchLock } from '../common/background-batches';
import { FOLD_STATEMENTS } from './report-facts-sql';

// Any constant: only one fold runs at a time in the whole deployment.
const FOLD_LOCK = 4_242_006;
/** Checkouts folded per transaction. */
export const FOLD_BATCH = 5000;
/** Batches a report read folds before answering; a larger backlog is reported as pending. */
const CATCH_UP_BATCHES = 4;

/**
 * Folds dirty checkouts into the report rollups: per batch, in one transaction, the marks are deleted, what the
 * rollups counted for those checkouts is subtracted and their facts, recomputed from the raw rows, are added.
 * A crash loses nothing (the marks come back with the rollback); folding a checkout again changes nothing.
 */
export async function foldDirtyCheckouts(pool: Pool, options: { batch?: number; wait?: boolean } = {}): Promise<number> {
  const batch = options.batch ?? FOLD_BATCH;
  return inTransaction(pool, async ({ client }) => {
    if (!(await takeBatchLock(client, FOLD_LOCK, options.wait !== false))) return 0;
    const { rows } = await client.query<{ ids: string[] }>({ name: 'report_take_dirty', text: FOLD_STATEMENTS.takeDirty, values: [batch] });
    const ids = rows[0].ids;
    if (ids.length === 0) return 0;
    await client.query({ name: 'report_subtract_checkouts', text: FOLD_STATEMENTS.subtractCheckouts, values: [ids] });
    await client.query({ name: 'report_subtract_messages', text: FOLD_STATEMENTS.subtractMessages, values: [ids] });
    await client.query({ name: 'report_add_checkouts', text: FOLD_STATEMENTS.addCheckouts, values: [ids] });
    await client.query({ name: 'report_add_messages', text: FOLD_STATEMENTS.addMessages, values: [ids] });
    return ids.length;
  });
}

/** Folds until nothing is pending (or `maxBatches` batches); returns how many checkouts were folded. */
export async function foldAll(pool: Pool, options: { batch?: number; maxBatches?: number; wait?: boolean } = {}): Promise<number> {
  let total = 0;
  for (let i = 0; i < (options.maxBatches ?? Infinity); i++) {
    const folded = await foldDirtyCheckouts(pool, options);
    total += folded;
    if (folded === 0) break;
  }
  return total;
}

/** Keeps the rollups current in the background, and lets a report read fold what is pending first. */
@Injectable()
export class ReportFolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReportFolder.name);
  private readonly background = new BackgroundBatches(
    () => foldAll(this.pool, { wait: false, maxBatches: 20 }),
    (error) => this.logger.warn(`report fold failed (the marks stay; retried next tick): ${String(error)}`),
  );

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    this.background.start(this.config.reportFoldIntervalS * 1000);
  }

  async onApplicationShutdown() {
    await this.background.stop();
  }

  /**
   * Before a report is read: whatever is pending, up to a few batches. Returns how many checkouts are still
   * pending: 0 when a batch came back empty (no count needed), else the backlog beyond those batches.
   */
  async catchUp(): Promise<number> {
    for (let i = 0; i < CATCH_UP_BATCHES; i++) {
      if ((await foldDirtyCheckouts(this.pool)) === 0) return 0;
    }
    return this.pending();
  }

  async pending(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(DISTINCT checkout_id) AS n FROM report_dirty_checkouts');
    return Number(rows[0].n);
  }
}
