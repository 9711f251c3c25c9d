import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { CLOCK, Clock } from '../../common/clock';
import { PG_POOL } from '../../database/database';
import { inTransaction } from '../../database/transaction';
import { Planning, PLANNING, planNext, PlanOutcome } from '../planning/next-message';
import { sendLockKey } from '../suppression/send-lock';
import { MessageScheduler } from './message-scheduler';

/** Looks at an enrollment again (a waterfall deadline passed) and plans what comes next. */
@Injectable()
export class PlanEnrollment {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PLANNING) private readonly planning: Planning,
    private readonly scheduler: MessageScheduler,
  ) {}

  async run(enrollmentId: string): Promise<PlanOutcome> {
    const outcome = await inTransaction(this.pool, async ({ client }) => {
      const { rows } = await client.query<{ checkout_id: string }>(`SELECT checkout_id FROM enrollments WHERE id = $1 AND status = 'active'`, [enrollmentId]);
      if (rows.length === 0) return { decision: { kind: 'none', reason: 'enrollment_missing' } } as PlanOutcome;
      // Same lock as sends and orders: planning never races an order's suppression.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [sendLockKey(rows[0].checkout_id)]);
      return planNext(client, enrollmentId, this.clock.now(), this.planning);
    });
    await this.scheduler.schedule([...(outcome.message ? [outcome.message] : []), ...(outcome.moved ?? [])]);
    if (outcome.recheckAt) await this.scheduler.recheck(enrollmentId, outcome.recheckAt);
    return outcome;
  }
}
