import { daytimeZone } from './support/daytime-zone';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../ml/features';
import { makeContext } from '../ml/test-support';
import { createPool } from '../server/database/database';
import { settleAll } from '../server/experiments/outcome-settler';
import { loadTrainingExamples } from '../server/ml/training-examples';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { eventually } from './support/eventually';
import { checkoutJourney, RecoveryRig, startRecoveryRig } from './support/recovery-rig';
import { NightlyTraining } from '../server/ml/nightly-training';
import { seedSettledDecisions } from './support/seed-decisions';

const TOKEN = randomBytes(24).toString('hex');
const auth = { authorization: `Bearer ${TOKEN}` };

describe('training, promotion and the model in the engine', () => {
  let rig: RecoveryRig;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${rig.t.url}/admin/api/ml${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
  const finished = async (runId: string) =>
    eventually(
      async () => (await (await api(`/training-runs/${runId}`)).json()) as { status: string; progress: number; result: any; error: string | null },
      (run) => run.status === 'succeeded' || run.status === 'failed',
      90_000,
      200,
    );

  beforeAll(async () => {
    // A shop whose messages cost 3 each, more than the orders they add for most carts: the rules, which always send,
    // lose money, and a model that learns when to send nothing more is clearly better — evidence enough to promote it.
    rig = await startRecoveryRig('ml-training', '0.001', { ADMIN_API_TOKEN: TOKEN, ML_MIN_TRAINING_EXAMPLES: '500', ML_MESSAGE_COSTS: 'email=3,push=3,sms=3' });
  });
  afterAll(async () => rig?.close());

  it('keeps the operations API closed without the token and names bad parameters', async () => {
    expect((await fetch(`${rig.t.url}/admin/api/ml/versions`)).status).toBe(401);
    expect((await fetch(`${rig.t.url}/admin/api/ml/versions`, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);
    const bad = await api('/training-runs/nope');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ problems: [{ path: 'id', message: 'must be a UUID' }] });
    expect((await api('/training-runs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api('/versions/00000000-0000-4000-8000-000000000000/promote', { method: 'POST' })).status).toBe(404);
  });

  it('does not train, nor promote, on too little data', { timeout: 60_000 }, async () => {
    const requested = await api('/training-runs', { method: 'POST' });
    expect(requested.status).toBe(202);
    const run = await finished(((await requested.json()) as { id: string }).id);
    expect(run).toMatchObject({ status: 'succeeded', progress: 100, result: { promoted: false, modelVersionId: null } });
    expect(run.result.verdict).toMatch(/not enough data: 0 settled decisions/);
    expect(await (await api('/versions')).json()).toEqual([]);
  });

  it('learns from settled decisions, promotes, decides with the model in every new plan, and rolls back', { timeout: 180_000 }, async () => {
    // A campaign whose first step offers a real choice: email or SMS, 0–15% off (rules are read every few seconds).
    await rig.t.pool.query(
      `INSERT INTO discount_rules (id, name, priority, conditions, offer) VALUES ('first-step', 'First step', 1, '{"steps":[0]}', '{"type":"percent","amount":10,"minPercent":5,"maxPercent":15,"expiryHours":48}')`,
    );
    await rig.t.pool.query(
      `INSERT INTO campaigns (name, priority, steps) VALUES ('choice', 1, $1)`,
      [JSON.stringify([{ delayMinutes: 60, channels: ['email', 'sms'], templates: { email: 'offer-email', sms: 'offer-sms' } }])],
    );
    // Settled through the real tables: each enrollment's window has closed and the settler has written its outcome.
    const seeded = await seedSettledDecisions(rig.t.pool, { checkouts: 4000, end: new Date(Date.now() - 86_400_000), config: rig.t.config });
    expect(seeded.settled).toBe(4000);
    expect(seeded.recovered).toBeGreaterThan(200);

    // Training runs in a worker thread: the process keeps answering (and sending) meanwhile.
    const firstId = ((await (await api('/training-runs', { method: 'POST' })).json()) as { id: string }).id;
    const latencies: number[] = [];
    const progress = new Set<number>();
    for (let run = { status: 'queued', progress: 0 }; run.status === 'queued' || run.status === 'running'; ) {
      const started = Date.now();
      run = (await (await api(`/training-runs/${firstId}`)).json()) as typeof run;
      latencies.push(Date.now() - started);
      progress.add(run.progress);
      await new Promise((r) => setTimeout(r, 100));
    }
    // In-process training held every request for its whole length (25 s here); a loaded CI machine still answers in seconds.
    expect(Math.max(...latencies)).toBeLessThan(5000);
    expect([...progress].some((p) => p > 0 && p < 100)).toBe(true);
    const first = await finished(firstId);
    expect(first.status).toBe('succeeded');
    expect(first.result.examples).toBe(seeded.decisions);
    expect(first.result.metrics.auc).toBeGreaterThan(0.6);
    expect(first.result.metrics.calibration).toHaveLength(10);
    // Nothing promoted yet: judged against the rules, by a bootstrap interval of the gain over the holdout's sequences.
    // The logged policy was uniformly random, and the model's policy is clearly better: promoted on that evidence.
    const interval = first.result.metrics.promotionInterval;
    expect(interval).toMatchObject({ level: 0.95, resamples: 200, against: 'rules' });
    expect(interval.low).toBeGreaterThan(0);
    expect(interval.high).toBeGreaterThan(interval.low);
    expect(first.result.metrics.holdoutDecidedSequences).toBeGreaterThan(first.result.metrics.holdoutExamples * 0.9);
    expect(first.result.metrics.discountShare).toBeLessThanOrEqual(rig.t.config.ml.maxDiscountShare);
    expect(first.result.verdict).toMatch(/^no current model; beats the rules on the holdout: \+\d+ margin per 1000 abandonments \(95 % bootstrap: \+\d+ to \+\d+\)$/);
    expect(first.result.promoted).toBe(true);
    let versions = (await (await api('/versions')).json()) as Array<{ id: string; label: string; status: string; verdict: string; metrics: any }>;
    expect(versions).toHaveLength(1);
    const v1 = versions[0];
    expect(v1).toMatchObject({ label: 'v1', status: 'promoted', verdict: first.result.verdict });
    expect(v1.metrics.promotionInterval).toEqual(interval);

    await rig.send(checkoutJourney({ tag: 'modelled', timezone: daytimeZone(), email: 'mo@example.com', phone: '+14155550190', smsConsent: true, value: 240 }));
    // The model decides the new checkout's step, whichever way it goes: a reminder (its decision on the message) or
    // "send nothing more" (the enrollment ends with the decision on it, nothing planned).
    const decisionOf = async () =>
      (
        await rig.t.pool.query(
          `SELECT e.exit_reason, coalesce(e.stop_decision, (SELECT m.decision -> 'policy' FROM messages m WHERE m.enrollment_id = e.id ORDER BY m.step_index LIMIT 1)) AS policy,
                  (SELECT count(*)::int FROM messages m WHERE m.enrollment_id = e.id) AS messages
             FROM enrollments e JOIN checkouts c ON c.id = e.checkout_id WHERE c.external_id = 'co-modelled'`,
        )
      ).rows[0];
    const decided = await eventually(decisionOf, (d) => !!d?.policy, 20_000);
    const policy = decided.policy;
    expect(policy).toMatchObject({ source: 'model', modelVersion: 'v1', propensity: 1 });
    if (policy.action.channel === 'none') expect(decided).toMatchObject({ exit_reason: 'policy_stop', messages: 0 });
    else expect(decided.messages).toBe(1);
    // "Send nothing more", then email and SMS each with 0, 5, 10 or 15 % off.
    expect(policy.candidates).toHaveLength(9);
    expect(policy.candidates[0]).toEqual({ channel: 'none', discountPct: 0 });
    expect(policy.scores.length).toBeGreaterThan(0);
    expect(policy.scores[0].action).toEqual(policy.action);
    expect(policy.reason).toMatch(/expected margin/);

    // A second run on the same settled data: now there is a model to beat, and a model no better than it (the same
    // one, retrained) is no evidence, however the holdout is resampled. v1 keeps deciding.
    const second = await finished(((await (await api('/training-runs', { method: 'POST' })).json()) as { id: string }).id);
    expect(second.status).toBe('succeeded');
    expect(second.result.metrics.promotionInterval).toMatchObject({ against: 'current', resamples: 200 });
    expect(second.result.metrics.currentMarginPer1000).toEqual(expect.any(Number));
    expect(second.result.promoted).toBe(false);
    expect(second.result.verdict).toMatch(/^the gain over the current model is not clearly above zero: [+−]\d+ per 1000 \(95 % bootstrap: [+−]\d+ to [+−]\d+\)$/);
    versions = (await (await api('/versions')).json()) as typeof versions;
    expect(versions.map((v) => [v.label, v.status])).toEqual([
      ['v2', 'candidate'],
      ['v1', 'promoted'],
    ]);
    // A marketer may promote it all the same; then roll back to v1 by promoting it again.
    expect((await api(`/versions/${versions[0].id}/promote`, { method: 'POST' })).status).toBe(200);
    const statuses = async () => ((await (await api('/versions')).json()) as typeof versions).map((v) => [v.label, v.status]);
    expect(await statuses()).toEqual([
      ['v2', 'promoted'],
      ['v1', 'retired'],
    ]);
    expect((await api(`/versions/${v1.id}/promote`, { method: 'POST' })).status).toBe(200);
    expect(await statuses()).toEqual([
      ['v2', 'retired'],
      ['v1', 'promoted'],
    ]);
    const runs = (await (await api('/training-runs')).json()) as Array<{ status: string }>;
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('enqueues one nightly run per night, however many schedulers ask', async () => {
    const nightly = rig.t.app.get(NightlyTraining);
    await Promise.all([nightly.enqueue(), nightly.enqueue(), nightly.enqueue()]);
    const { rows } = await rig.t.pool.query(`SELECT dedupe_key FROM training_runs WHERE trigger = 'nightly'`);
    expect(rows).toEqual([{ dedupe_key: `nightly.${new Date().toISOString().slice(0, 10)}` }]);
  });

  it("learns first-reminder delays per segment: the bandit picks among the step's arms, and what it learned is reported", { timeout: 60_000 }, async () => {
    await rig.t.pool.query(`INSERT INTO campaigns (name, priority, steps) VALUES ('learned timing', 0, $1)`, [
      JSON.stringify([{ delayMinutes: 60, sendTimeArms: [15, 60, 240], channels: ['email'], templates: { email: 'reminder-email' } }]),
    ]);
    await rig.send(checkoutJourney({ tag: 'timed', timezone: daytimeZone(), email: 'ti@example.com', value: 80 }));
    const row = await eventually(
      async () =>
        (
          await rig.t.pool.query(
            `SELECT m.decision -> 'sendTime' AS send_time, m.scheduled_for, e.abandoned_at, m.enrollment_id FROM messages m JOIN enrollments e ON e.id = m.enrollment_id
               JOIN checkouts c ON c.id = m.checkout_id WHERE c.external_id = 'co-timed'`,
          )
        ).rows[0],
      (r) => !!r,
      20_000,
    );
    expect(row.send_time).toMatchObject({ segment: 'mobile|new|cart50-150' });
    expect([15, 60, 240]).toContain(row.send_time.armMinutes);
    expect(row.send_time.propensity).toBeGreaterThan(0);
    expect(row.send_time.propensity).toBeLessThanOrEqual(1);
    // Campaign time runs 1000× faster here: the wake-up is the chosen delay after abandonment, scaled.
    const delayMs = row.scheduled_for.getTime() - row.abandoned_at.getTime();
    expect(delayMs).toBeGreaterThanOrEqual(row.send_time.armMinutes * 60);
    expect(delayMs).toBeLessThan(row.send_time.armMinutes * 60 + 1000);

    // Once the enrollment has settled (recovered here), the next training run counts it for that arm.
    await eventually(
      async () => (await rig.t.pool.query(`SELECT status FROM messages WHERE enrollment_id = $1`, [row.enrollment_id])).rows[0].status,
      (status) => status === 'sent',
      20_000,
    );
    await rig.t.pool.query(`UPDATE enrollments SET status = 'recovered', ended_at = now() WHERE id = $1`, [row.enrollment_id]);
    await rig.t.pool.query(`UPDATE checkouts SET status = 'recovered' WHERE external_id = 'co-timed'`);
    const run = await finished(((await (await api('/training-runs', { method: 'POST' })).json()) as { id: string }).id);
    expect(run.status).toBe('succeeded');
    const learned = (await (await api('/send-times')).json()) as Array<{ segment: string; arms: Array<{ armMinutes: number; trials: number; successes: number }> }>;
    const segment = learned.find((s) => s.segment === 'mobile|new|cart50-150')!;
    expect(segment.arms).toContainEqual(expect.objectContaining({ armMinutes: row.send_time.armMinutes, trials: 1, successes: 1 }));
  });
});

/**
 * What training is given, straight from the tables: only enrollments the settler has written an outcome for (their
 * attribution window closed), each as its sequence of logged decisions, labelled with that outcome.
 */
describe('training examples: settled sequences only, with their settled labels', () => {
  const NOW = new Date('2026-11-30T12:00:00Z');
  const DAY = 86_400_000;
  const economics = { marginRate: 0.3, messageCost: { email: 0.001, push: 0.0005, sms: 0.0079 } };
  let db: TestDatabase;
  let pool: Pool;
  let sourceId: string;
  let campaignId: string;
  const email: Action = { channel: 'email', discountPct: 0 };
  const sms10: Action = { channel: 'sms', discountPct: 10 };
  const candidates: Action[] = [{ channel: 'none', discountPct: 0 }, email, sms10];
  const policy = (stepIndex: number, action: Action, propensity: number) => ({ context: makeContext({ cartValue: 100, stepIndex }), action, propensity, candidates, source: 'exploration' });

  beforeAll(async () => {
    db = await createTestDatabase('ml_training_examples');
    pool = createPool(db.url, 3);
    sourceId = (await pool.query(`INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ('s', $1, 'k') RETURNING id`, [randomUUID()])).rows[0].id;
    campaignId = (await pool.query(`INSERT INTO campaigns (name, steps, attribution_window_hours, expiry_hours) VALUES ('c', '[]', 120, 168) RETURNING id`)).rows[0].id;
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** A checkout abandoned `daysAgo` before NOW, enrolled and ended, with its messages, an order and a redeemed code as given. */
  async function enrollment(o: {
    tag: string;
    daysAgo: number;
    arm?: 'treatment' | 'control';
    controlProbability?: number;
    sent?: { step: number; decision: unknown; codeValue?: number }[];
    withheld?: unknown;
    stop?: unknown;
    orderRevenue?: number;
  }): Promise<{ checkoutId: string; abandonedAt: Date; endedAt: Date; sentAt: Date[] }> {
    const abandonedAt = new Date(NOW.getTime() - o.daysAgo * DAY);
    const endedAt = new Date(abandonedAt.getTime() + 2 * DAY);
    const checkoutId = randomUUID();
    await pool.query(
      `INSERT INTO checkouts (id, external_id, source_id, status, stage, cart_value, currency, first_activity_at, last_activity_at, abandoned_at)
       VALUES ($1, $2, $3, 'abandoned', 'shipping', 100, 'EUR', $4, $4, $4)`,
      [checkoutId, `co-${o.tag}`, sourceId, abandonedAt],
    );
    const arm = o.arm ?? 'treatment';
    const enrollmentId = (
      await pool.query(
        `INSERT INTO enrollments (checkout_id, campaign_id, status, exit_reason, abandoned_at, ended_at, arm, control_probability, stop_decision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [checkoutId, campaignId, o.stop ? 'exited' : 'completed', o.stop ? 'policy_stop' : null, abandonedAt, endedAt, arm, o.controlProbability ?? 0, o.stop ? JSON.stringify(o.stop) : null],
      )
    ).rows[0].id;
    const sentAt: Date[] = [];
    for (const m of o.sent ?? []) {
      const at = new Date(abandonedAt.getTime() + (m.step + 1) * 3_600_000);
      sentAt.push(at);
      const messageId = (
        await pool.query(
          `INSERT INTO messages (key, enrollment_id, checkout_id, campaign_id, step_index, channel, status, scheduled_for, sent_at, decision)
           VALUES ($1, $2, $3, $4, $5, 'email', 'sent', $6, $6, $7) RETURNING id`,
          [`${enrollmentId}.${m.step}.email`, enrollmentId, checkoutId, campaignId, m.step, at, JSON.stringify({ policy: m.decision })],
        )
      ).rows[0].id;
      if (m.codeValue !== undefined) {
        await pool.query(
          `INSERT INTO discount_codes (code, source_id, checkout_id, message_id, type, percent, issued_at, expires_at, redeemed_at, redemption)
           VALUES ($1, $2, $3, $4, 'percent', 10, $5, $5::timestamptz + interval '2 days', $5, $6)`,
          [`CODE${o.tag.toUpperCase()}`, sourceId, checkoutId, messageId, at, { discountValue: m.codeValue }],
        );
      }
    }
    if (o.withheld) {
      await pool.query(
        `INSERT INTO messages (key, enrollment_id, checkout_id, campaign_id, step_index, channel, status, arm, scheduled_for, withheld_at, decision)
         VALUES ($1, $2, $3, $4, 0, 'email', 'withheld', 'control', $5, $5, $6)`,
        [`${enrollmentId}.0.email`, enrollmentId, checkoutId, campaignId, abandonedAt, JSON.stringify({ policy: o.withheld })],
      );
    }
    if (o.orderRevenue !== undefined) {
      await pool.query(`INSERT INTO orders (order_id, checkout_id, revenue, currency, occurred_at) VALUES ($1, $2, $3, 'EUR', $4)`, [`o-${o.tag}`, checkoutId, o.orderRevenue, endedAt]);
    }
    return { checkoutId, abandonedAt, endedAt, sentAt };
  }

  it('learns nothing from an enrollment before its window closes, and each settled one as its logged sequence with the settled label', async () => {
    // Treated with a 20 % chance of having been held out: two messages, the second carrying a redeemed 10 € code; ordered.
    const treated = await enrollment({
      tag: 'treated',
      daysAgo: 10,
      controlProbability: 0.2,
      sent: [
        { step: 0, decision: policy(0, email, 0.5) },
        { step: 1, decision: policy(1, sms10, 0.25), codeValue: 10 },
      ],
      orderRevenue: 100,
    });
    // Never could be held out: one message, then the policy stopped; no order.
    const stopped = await enrollment({ tag: 'stopped', daysAgo: 9, sent: [{ step: 0, decision: policy(0, email, 0.5) }], stop: policy(1, { channel: 'none', discountPct: 0 }, 0.1) });
    // Held out: its first message planned and withheld; no order.
    const held = await enrollment({ tag: 'held', daysAgo: 8, arm: 'control', controlProbability: 0.2, withheld: policy(0, email, 0.9) });
    // Ended and ordered, but its window from abandonment is still open: no label yet, whatever it did.
    const open = await enrollment({ tag: 'open', daysAgo: 2, sent: [{ step: 0, decision: policy(0, email, 0.5) }], orderRevenue: 50 });
    // Settled, but logged by a writer that kept no context: left out whole.
    await enrollment({ tag: 'blind', daysAgo: 9, sent: [{ step: 0, decision: { action: email, propensity: 0.5 } }, { step: 1, decision: policy(1, email, 0.5) }] });

    expect(await loadTrainingExamples(pool, NOW, { marginRate: economics.marginRate })).toEqual([]);
    const settled = await settleAll(pool, { now: NOW, timeScale: 1, ...economics });
    expect(settled).toBe(4);

    const examples = await loadTrainingExamples(pool, NOW, { marginRate: economics.marginRate });
    const of = (id: string) => examples.filter((e) => e.checkoutId === id);
    expect(of(open.checkoutId)).toEqual([]);
    expect(examples).toHaveLength(5);

    // The first propensity carries the holdout draw (1 − 0.2); margin = revenue × margin rate − the redeemed code.
    const label = { recovered: true, margin: 100 * 0.3 - 10, discountCost: 10 };
    expect(of(treated.checkoutId)).toEqual([
      { ctx: makeContext({ cartValue: 100, stepIndex: 0 }), action: email, propensity: 0.5 * 0.8, ...label, decidedAt: treated.sentAt[0], checkoutId: treated.checkoutId, candidates },
      { ctx: makeContext({ cartValue: 100, stepIndex: 1 }), action: sms10, propensity: 0.25, ...label, decidedAt: treated.sentAt[1], checkoutId: treated.checkoutId, candidates },
    ]);
    expect(of(stopped.checkoutId)).toEqual([
      expect.objectContaining({ action: email, propensity: 0.5, recovered: false, decidedAt: stopped.sentAt[0] }),
      expect.objectContaining({ ctx: makeContext({ cartValue: 100, stepIndex: 1 }), action: { channel: 'none', discountPct: 0 }, propensity: 0.1, recovered: false, decidedAt: stopped.endedAt, candidates }),
    ]);
    expect(of(held.checkoutId)).toEqual([
      { ctx: makeContext({ cartValue: 100, stepIndex: 0 }), action: { channel: 'none', discountPct: 0 }, propensity: 0.2, recovered: false, decidedAt: held.abandonedAt, checkoutId: held.checkoutId },
    ]);

    // Once its window has closed too, the open one settles with the label it earned, and counts.
    await settleAll(pool, { now: new Date(NOW.getTime() + 10 * DAY), timeScale: 1, ...economics });
    const later = await loadTrainingExamples(pool, new Date(NOW.getTime() + 10 * DAY), { marginRate: economics.marginRate });
    expect(later.filter((e) => e.checkoutId === open.checkoutId)).toEqual([expect.objectContaining({ recovered: true, margin: 50 * 0.3, discountCost: 0, propensity: 0.5 })]);
  });
});
