import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { seedSettledDecisions } from './support/seed-decisions';
import { startTestApp, TestApp } from './support/test-app';

const TOKEN = randomBytes(24).toString('hex');

describe('a training run that fails', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('ml-training-failure', { ADMIN_API_TOKEN: TOKEN, ML_MIN_TRAINING_EXAMPLES: '100' });
  });
  afterAll(async () => t?.close());

  it('on logged decisions the trainer cannot read: the run is marked failed with why, nothing is stored or promoted, the server carries on', { timeout: 90_000 }, async () => {
    const seeded = await seedSettledDecisions(t.pool, { checkouts: 300, end: new Date(Date.now() - 86_400_000), config: t.config });
    expect(seeded.decisions).toBeGreaterThan(100);
    // A decision logged by an older, broken writer: its features lack the engagement counts.
    await t.pool.query(`UPDATE messages SET decision = decision #- '{policy,context,engagement}'`);
    const headers = { authorization: `Bearer ${TOKEN}` };
    const { id } = (await (await fetch(`${t.url}/admin/api/ml/training-runs`, { method: 'POST', headers })).json()) as { id: string };
    const run = await eventually(
      async () => (await (await fetch(`${t.url}/admin/api/ml/training-runs/${id}`, { headers })).json()) as { status: string; error: string | null },
      (r) => r.status === 'failed' || r.status === 'succeeded',
      60_000,
      200,
    );
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^training failed: /);
    expect((await t.pool.query('SELECT count(*)::int AS n FROM model_versions')).rows[0].n).toBe(0);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });
});
