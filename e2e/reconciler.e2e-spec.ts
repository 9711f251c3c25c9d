import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reconciler } from '../server/recovery/scheduling/reconciler';
import { daytimeZone } from './support/daytime-zone';
import { seedRecovery } from './support/seed-recovery';
import { startTestApp, TestApp } from './support/test-app';

describe('reconciler', () => {
  let t: TestApp;
  let offsetMs = 0;

  beforeAll(async () => {
    t = await startTestApp('reconciler', { ROLE: 'api' }, { clock: { now: () => new Date(Date.now() + offsetMs) } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('requeues overdue planned messages, and reports one left in sending by a crash as unknown, never requeued', async () => {
    const [interrupted, planned] = (await seedRecovery(t.pool, { tag: 'reconcile', count: 2, firstDue: new Date(), spacingMs: 0, timezone: daytimeZone() })).messages;
    await t.pool.query(`UPDATE messages SET status = 'sending' WHERE id = $1`, [interrupted.id]);
    const reconciler = t.app.get(Reconciler);

    expect(await reconciler.run()).toEqual({ requeued: 0, stuck: 0 });
    offsetMs = 6 * 60_000;
    expect(await reconciler.run()).toEqual({ requeued: 1, stuck: 1 });
    const rows = (await t.pool.query('SELECT id, status, error FROM messages WHERE id = ANY($1) ORDER BY status', [[interrupted.id, planned.id]])).rows;
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [planned.id, 'planned'],
      [interrupted.id, 'unknown'],
    ]);
    expect(rows[1].error).toMatch(/not resent/);
  });
});
