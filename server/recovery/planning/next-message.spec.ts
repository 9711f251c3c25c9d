import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daytimeZone } from '../../../e2e/support/daytime-zone';
import { seedRecovery } from '../../../e2e/support/seed-recovery';
import { createTestDatabase, type TestDatabase } from '../../../e2e/support/test-database';
import { createPool } from '../../database/database';
import { applyDecision, decideNext, recordedInOneStatement, type Planning } from './next-message';

const PLANNING: Planning = { timeScale: 1, policy: null };

/**
 * The send path queues COMMIT right behind `applyDecision` when the decision is one statement: that statement must
 * be issued before `applyDecision` first awaits, or the COMMIT would overtake it and it would run outside the
 * transaction. A ROLLBACK queued the same way shows which side of it the statement ran on.
 */
describe('applyDecision issues its one statement before it awaits', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('next_message');
    pool = createPool(database.url, 2);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  /** An enrollment whose only step went out: the planner's next decision is to end it (one UPDATE). */
  async function finishedSequence(tag: string) {
    const { messages } = await seedRecovery(pool, { tag, count: 1, firstDue: new Date(), spacingMs: 0, timezone: daytimeZone() });
    const { rows } = await pool.query<{ enrollment_id: string }>(`UPDATE messages SET status = 'sent', sent_at = now() WHERE id = $1 RETURNING enrollment_id`, [messages[0].id]);
    return rows[0].enrollment_id;
  }
  const statusOf = async (enrollmentId: string) => (await pool.query<{ status: string }>('SELECT status FROM enrollments WHERE id = $1', [enrollmentId])).rows[0].status;

  it('a ROLLBACK queued behind it undoes it; a COMMIT queued behind it keeps it', async () => {
    const rolledBack = await finishedSequence('rolled-back');
    const committed = await finishedSequence('committed');
    const client = await pool.connect();
    try {
      for (const [enrollmentId, end] of [
        [rolledBack, 'ROLLBACK'],
        [committed, 'COMMIT'],
      ] as const) {
        const now = new Date();
        const decided = (await decideNext(client, enrollmentId, now, PLANNING))!;
        expect(decided.decision).toMatchObject({ kind: 'none', reason: 'sequence_done' });
        expect(recordedInOneStatement(decided)).toBe(true);
        await client.query('BEGIN');
        const applying = applyDecision(client, decided, now, PLANNING);
        const ending = client.query(end);
        await Promise.all([applying, ending]);
      }
    } finally {
      client.release();
    }
    expect(await statusOf(rolledBack)).toBe('active');
    expect(await statusOf(committed)).toBe('completed');
  });
});
