import { Inject, Injectable, Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { CLOCK, Clock } from '../../common/clock';
import { PG_POOL } from '../../database/database';
import { MessageScheduler } from './message-scheduler';

/**
 * A planned message this late has lost its wake-up (Redis lost it, or a worker died holding it). Anything
 * younger is left alone: under a backlog the worker is simply busy, and re-adding its jobs costs Redis work.
 */
const OVERDUE_MS = 10_000;
/** A message this long in `sending` was cut off by a crash: it is reported, never sent again. */
const STUCK_SENDING_MS = 5 * 60_000;
const BATCH = 1_000;

/**
 * Makes Redis agree with the messages table after a worker or Redis restart: every planned message that is
 * overdue gets its wake-up again (BullMQ ignores a job id it already holds, and a late duplicate finds the
 * message no longer planned), and messages stuck in `sending` become `unknown`.
 */
@Injectable()
export class Reconciler {
  private readonly logger = new Logger(Reconciler.name);

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly scheduler: MessageScheduler,
  ) {}

  async run(): Promise<{ requeued: number; stuck: number }> {
    const now = this.clock.now();
    const { rows } = await this.pool.query<{ id: string; key: string; scheduled_for: Date }>(
      `SELECT id, key, scheduled_for FROM messages WHERE status = 'planned' AND scheduled_for <= $1 ORDER BY scheduled_for LIMIT $2`,
      [new Date(now.getTime() - OVERDUE_MS), BATCH],
    );
    // Under a backlog the overdue messages' wake-ups are still queued: only the ones Redis lost are added.
    const lost = await this.scheduler.withoutWakeUp(rows.map((r) => ({ id: r.id, key: r.key, scheduledFor: r.scheduled_for })));
    await this.scheduler.schedule(lost);
    const stuck = await this.pool.query<{ id: string; channel: string }>(
      `UPDATE messages SET status = 'unknown', error = 'left in sending by an interrupted worker; not resent', updated_at = now()
        WHERE status = 'sending' AND updated_at < $1 RETURNING id, channel`,
      [new Date(now.getTime() - STUCK_SENDING_MS)],
    );
    for (const m of stuck.rows) this.logger.warn(`message ${m.id} (${m.channel}) was interrupted while sending; marked unknown, not resent`);
    return { requeued: lost.length, stuck: stuck.rowCount ?? 0 };
  }
}
