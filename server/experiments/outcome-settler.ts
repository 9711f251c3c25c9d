import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { CLOCK, Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PG_POOL } from '../database/database';
import { inTransaction } from '../database/transaction';
import { BackgroundBatches, takeBatchLock } from '../common/background-batches';
import { SETTLE_SQL } from './outcome-sql';

// Any constant: one settler at a time in the whole deployment.
const SETTLE_LOCK = 4_242_012;
/** Enrollments settled per transaction. */
export const SETTLE_BATCH = 5000;
/** Batches a lift report read settles before answering. */
const CATCH_UP_BATCHES = 4;

export interface SettleOptions {
  now: Date;
  timeScale: number;
  marginRate: number;
  messageCost: Record<'email' | 'push' | 'sms', number>;
  batch?: number;
  /** false: skip (answer 0) when another settler holds the lock. */
  wait?: boolean;
}

/**
 * Settles one batch of enrollments whose window has closed: their outcomes are written and added to the lift
 * rollups in one statement, and each is marked settled in it, so an outcome is counted exactly once.
 */
export async function settleDecided(pool: Pool, options: SettleOptions): Promise<number> {
  return inTransaction(pool, async ({ client }) => {
    if (!(await takeBatchLock(client, SETTLE_LOCK, options.wait !== false))) return 0;
    const { messageCost: c } = options;
    const result = await client.query({
      name: 'experiments_settle',
      text: SETTLE_SQL,
      values: [options.now, options.timeScale, options.batch ?? SETTLE_BATCH, options.marginRate, c.email, c.push, c.sms],
    });
    return result.rowCount ?? 0;
  });
}

/** Settles until nothing is due (or `maxBatches`); returns how many enrollments were settled. */
export async function settleAll(pool: Pool, options: SettleOptions & { maxBatches?: number }): Promise<number> {
  let total = 0;
  for (let i = 0; i < (options.maxBatches ?? Infinity); i++) {
    const settled = await settleDecided(pool, options);
    total += settled;
    if (settled === 0) break;
  }
  return total;
}

/** Keeps the lift rollups current in the background (every API process, one at a time), and before each lift read. */
@Injectable()
export class OutcomeSettler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutcomeSettler.name);
  private readonly background = new BackgroundBatches(
    () => settleAll(this.pool, { ...this.options(), wait: false, maxBatches: 20 }),
    (error) => this.logger.warn(`settling experiment outcomes failed (retried next tick): ${String(error)}`),
  );

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap() {
    this.background.start(this.config.reportFoldIntervalS * 1000);
  }

  async onApplicationShutdown() {
    await this.background.stop();
  }

  /** Settles what is due now, up to a few batches. */
  async catchUp(): Promise<void> {
    await settleAll(this.pool, { ...this.options(), maxBatches: CATCH_UP_BATCHES });
  }

  private options(): SettleOptions {
    const { ml, campaignTimeScale } = this.config;
    return { now: this.clock.now(), timeScale: campaignTimeScale, marginRate: ml.marginRate, messageCost: ml.messageCost };
  }
}
