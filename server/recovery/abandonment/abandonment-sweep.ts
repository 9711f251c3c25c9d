import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CLOCK, Clock } from '../../common/clock';
import { PG_POOL } from '../../database/database';
import { QUEUES } from '../../queue/queues';

/** Found idle per sweep at most; the next sweep continues where this one stopped. */
const SWEEP_LIMIT = 5_000;
/** Active checkouts idle this long without any way to reach the shopper are closed as expired. */
const STALE_DAYS = 30;

/**
 * Finds checkouts idle past the shortest trigger of the active campaigns and enqueues one `abandon` job
 * each, keyed by checkout and last activity: running twice enqueues nothing new, and a checkout that moved
 * again gets a fresh chance. The decision itself (which campaign, whether still idle) is the job's.
 */
@Injectable()
export class AbandonmentSweep {
  private readonly logger = new Logger(AbandonmentSweep.name);

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @InjectQueue(QUEUES.abandonment) private readonly queue: Queue,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(): Promise<{ enqueued: number; expired: number }> {
    const now = this.clock.now();
    const { rows: trigger } = await this.pool.query<{ minutes: number | null }>(
      "SELECT min(trigger_idle_minutes) AS minutes FROM campaigns WHERE status = 'active'",
    );
    const idleMs = (trigger[0].minutes ?? 30) * 60_000 * this.config.campaignTimeScale;
    const { rows } = await this.pool.query<{ id: string; last_activity_at: Date }>(
      `SELECT c.id, c.last_activity_at FROM checkouts c
        WHERE c.status = 'active' AND c.last_activity_at <= $1
          AND (c.email IS NOT NULL OR c.phone IS NOT NULL
               OR EXISTS (SELECT 1 FROM push_subscriptions p WHERE p.customer_id = c.customer_id AND p.revoked_at IS NULL))
        ORDER BY c.last_activity_at LIMIT $2`,
      [new Date(now.getTime() - idleMs), SWEEP_LIMIT],
    );
    if (rows.length > 0) {
      await this.queue.addBulk(
        rows.map((r) => ({
          name: 'abandon',
          data: { checkoutId: r.id, lastActivityAt: r.last_activity_at.toISOString() },
          opts: { jobId: `abandon.${r.id}.${r.last_activity_at.getTime()}`, removeOnComplete: 10_000, removeOnFail: 1000 },
        })),
      );
    }
    const expired = await this.pool.query(
      `UPDATE checkouts SET status = 'expired', updated_at = now()
        WHERE status = 'active' AND last_activity_at < $1::timestamptz - make_interval(days => $2)`,
      [now, STALE_DAYS],
    );
    if (rows.length > 0 || expired.rowCount) this.logger.log(`sweep: ${rows.length} idle checkouts to look at, ${expired.rowCount ?? 0} expired`);
    return { enqueued: rows.length, expired: expired.rowCount ?? 0 };
  }
}
