import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, signInEveryRole, type AdminClient } from './support/admin-client';
import { daytimeZone } from './support/daytime-zone';
import { eventually } from './support/eventually';
import { checkoutJourney, RecoveryRig, startRecoveryRig } from './support/recovery-rig';

/**
 * A simulated shop whose reminders truly work, end to end at 1/10000 of real time: 1,000 shoppers abandon; 10 %
 * of them come back on their own whatever happens (the organic rate); a shopper who receives the reminder and was
 * not coming back anyway buys with probability 1/15, so treated shoppers convert at 10 % + 90 % / 15 = 16 %. With a
 * 30 % holdout the true lift is 6 pp. The reminder goes out 1 h after abandonment (0.36 s here); the window from
 * abandonment is 72 h (25.9 s: room for a busy machine that notices abandonments late), settled 6 h (2.2 s) later. Every draw is seeded, the experiment secret too: the run is reproducible.
 */
const SHOPPERS = 1000;
const ORGANIC = 0.1;
const BOOST = 1 / 15;
const TRUE_LIFT = ORGANIC + (1 - ORGANIC) * BOOST - ORGANIC;
const SCALE = 0.0001;

/** A seeded generator per shopper and purpose, so each shopper's behaviour is fixed. */
function draw(shopper: number, purpose: number): number {
  let s = (shopper * 2654435761 + purpose * 40503) >>> 0;
  s = Math.imul(s ^ (s >>> 16), 0x45d9f3b) >>> 0;
  s = Math.imul(s ^ (s >>> 16), 0x45d9f3b) >>> 0;
  return ((s ^ (s >>> 16)) >>> 0) / 2 ** 32;
}

describe('holdout and lift, end to end', () => {
  let rig: RecoveryRig;
  let admin: AdminClient;
  let marketer: AdminClient;
  let campaignId: string;
  const zone = daytimeZone();
  const email = (i: number) => `shopper-${i}@lift.example`;

  beforeAll(async () => {
    rig = await startRecoveryRig('holdout_lift', String(SCALE), { WORKER_CONCURRENCY: '20', REPORT_FOLD_INTERVAL_S: '1' });
    ({ admin, marketer } = await signInEveryRole(rig.t));
    await rig.t.pool.query(`UPDATE settings SET value = jsonb_set(value, '{secret}', '"lift-e2e-fixed-secret"') WHERE key = 'experiments'`);
    // A fixed campaign id and secret: who is held out is the same in every run.
    campaignId = '3f2a9c4e-0b7d-4e61-9a55-2c8d1e6f7a10';
    await rig.t.pool.query(
      `INSERT INTO campaigns (id, name, status, priority, trigger_idle_minutes, steps, expiry_hours, attribution_window_hours, holdout_percent)
       VALUES ($1, 'Lift test', 'active', 1, 30, $2, 96, 72, 30)`,
      [campaignId, JSON.stringify([{ delayMinutes: 60, channels: ['email'], templates: { email: 'reminder-email' } }])],
    );
  });
  afterAll(async () => {
    await rig?.close();
  });

  const order = (tag: string) =>
    rig.send([{ event_id: randomUUID(), type: 'order_completed', occurred_at: new Date().toISOString(), checkout_id: `co-${tag}`, order_id: `order-${tag}`, revenue: 100 }]);

  const armsOf = async (tags: string[]) =>
    new Map(
      (
        await rig.t.pool.query<{ external_id: string; arm: string; control_probability: number }>(
          `SELECT c.external_id, e.arm, e.control_probability FROM enrollments e JOIN checkouts c ON c.id = e.checkout_id WHERE c.external_id = ANY($1)`,
          [tags.map((t) => `co-${t}`)],
        )
      ).rows.map((r) => [r.external_id.slice(3), r]),
    );

  it('never sends to the control group, and the lift report finds the true lift inside its interval', { timeout: 180_000 }, async () => {
    const tags = Array.from({ length: SHOPPERS }, (_, i) => `s${i}`);
    // The shoppers: an organic buyer buys at a seeded moment within 4 s of abandoning, once enrolled (never before: a
    // shopper who buys before abandoning never enters the experiment); a reminded one may buy right after the reminder.
    const bought = new Set<number>();
    const orders: Promise<unknown>[] = [];
    const buy = (i: number) => {
      if (bought.has(i)) return;
      bought.add(i);
      orders.push(order(`s${i}`).then((r) => expect(r.status).toBe(200)));
    };
    const enrolled = new Set<number>();
    const answered = new Set<string>();
    let polling = false;
    const simulation = setInterval(async () => {
      if (polling) return;
      polling = true;
      try {
        const { rows } = await rig.t.pool.query<{ external_id: string; abandoned_at: Date }>(
          'SELECT c.external_id, e.abandoned_at FROM enrollments e JOIN checkouts c ON c.id = e.checkout_id WHERE e.campaign_id = $1',
          [campaignId],
        );
        for (const { external_id, abandoned_at } of rows) {
          const i = Number(external_id.slice(4));
          if (enrolled.has(i)) continue;
          enrolled.add(i);
          // Within 4 s of abandoning (the enrollment may be noticed later on a busy machine: then at once).
          if (draw(i, 1) < ORGANIC) setTimeout(() => buy(i), Math.max(0, abandoned_at.getTime() + draw(i, 2) * 4_000 - Date.now()));
        }
        for (const mail of rig.smtp.messages) {
          const to = mail.to[0];
          if (answered.has(to)) continue;
          answered.add(to);
          const i = Number(/^shopper-(\d+)@/.exec(to)?.[1]);
          if (draw(i, 1) >= ORGANIC && draw(i, 3) < BOOST) setTimeout(() => buy(i), 50 + draw(i, 4) * 400);
        }
      } finally {
        polling = false;
      }
    }, 100);
    let control: string[] = [];
    try {
      // In waves of 100, as a shop's traffic arrives, so abandonments are noticed soon after they happen.
      for (let from = 0; from < SHOPPERS; from += 100) {
        const events = tags.slice(from, from + 100).flatMap((tag, k) => checkoutJourney({ tag, timezone: zone, email: email(from + k), value: 100 }));
        expect((await rig.send(events)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 1_800));
      }
      await eventually(async () => enrolled.size, (n) => n === SHOPPERS, 60_000);
      const arms = await armsOf(tags);
      control = tags.filter((t) => arms.get(t)!.arm === 'control');
      expect(control.length / SHOPPERS).toBeGreaterThan(0.25);
      expect(control.length / SHOPPERS).toBeLessThan(0.35);
      expect([...arms.values()].every((a) => Math.abs(a.control_probability - 0.3) < 1e-9)).toBe(true);
      // Every enrollment settles once its window has closed (72 h scaled, then a 6 h grace, plus the settler's tick).
      await eventually(
        async () => (await rig.t.pool.query('SELECT count(*)::int AS n FROM enrollments WHERE campaign_id = $1 AND settled_at IS NOT NULL', [campaignId])).rows[0].n,
        (n) => n === SHOPPERS,
        90_000,
      );
    } finally {
      clearInterval(simulation);
    }
    await Promise.all(orders);

    // Not one reminder reached a held-out shopper; every treated shopper who had not bought yet got one.
    const mailed = new Set(rig.smtp.messages.map((m) => m.to[0]));
    expect(control.filter((t) => mailed.has(email(Number(t.slice(1)))))).toEqual([]);
    const { rows: statuses } = await rig.t.pool.query<{ arm: string; status: string; n: number }>(
      `SELECT arm, status, count(*)::int AS n FROM messages WHERE campaign_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [campaignId],
    );
    expect(statuses.filter((s) => s.arm === 'control').map((s) => s.status).sort()).toEqual(expect.arrayContaining(['withheld']));
    expect(statuses.filter((s) => s.arm === 'control' && !['withheld', 'cancelled'].includes(s.status))).toEqual([]);
    const treated = tags.length - control.length;
    expect(mailed.size).toBeGreaterThan(treated * 0.8);

    const report = await admin.get('/reports/lift', { campaignId, from: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) });
    expect(report.status).toBe(200);
    const { body } = report;
    expect(body.control.decided + body.treatment.decided).toBe(SHOPPERS);
    expect(body.control.decided).toBe(control.length);
    expect(body.control.open + body.treatment.open).toBe(0);
    expect(body.treatment.messagesSent).toBe(mailed.size);
    expect(body.control.messagesSent).toBe(0);
    // The realised rates are the simulated shop's, and the always-valid interval holds the true 6 pp lift.
    const lag = (await rig.t.pool.query(`SELECT max(extract(epoch FROM created_at - abandoned_at))::float8 AS s FROM enrollments WHERE campaign_id = $1`, [campaignId])).rows[0].s;
    const late = (await rig.t.pool.query(`SELECT count(*)::int AS n FROM orders o JOIN enrollments e ON e.checkout_id = o.checkout_id WHERE o.occurred_at >= e.abandoned_at + interval '25.92 seconds'`)).rows[0].n;
    console.log(`abandonments noticed up to ${lag.toFixed(1)} s late; ${late} orders after the window`);
    const realised = (arm: string[]) => arm.filter((t) => bought.has(Number(t.slice(1)))).length / arm.length;
    const treatedTags = tags.filter((t) => !control.includes(t));
    expect(body.control.conversionRate).toBeCloseTo(realised(control), 6);
    expect(body.treatment.conversionRate).toBeCloseTo(realised(treatedTags), 6);
    expect(body.lift.ci.low).toBeLessThan(TRUE_LIFT);
    expect(body.lift.ci.high).toBeGreaterThan(TRUE_LIFT);
    // The always-valid interval is the wider of the two.
    expect(body.lift.ci.high - body.lift.ci.low).toBeGreaterThan(body.lift.ciFixed.high - body.lift.ciFixed.low);
    expect(body.verdict.text).toMatch(/reminders add|not enough data yet|no clear effect/);
    // The Recovery report puts what the holdout shows the reminders caused beside the last-touch figure, per campaign
    // too, and the dashboard's headline becomes it.
    const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const recovery = (await admin.get('/reports/recovery', { from, by: 'campaign' })).body;
    expect(recovery.incremental).toMatchObject({ treatedDecided: body.treatment.decided, controlDecided: body.control.decided });
    expect(recovery.incremental.perAbandonment.value).toBeCloseTo(body.incrementalRevenuePer1000.value / 1000, 6);
    expect(recovery.incremental.total.value).toBeCloseTo((body.incrementalRevenuePer1000.value / 1000) * body.treatment.decided, 3);
    expect(recovery.groups.find((g: { key: string }) => g.key === campaignId).incremental).toEqual(recovery.incremental);
    expect(recovery.totals.recoveredRevenue).toBeGreaterThanOrEqual(0);
    const dashboard = (await admin.get('/reports/dashboard')).body;
    expect(dashboard.incremental).toMatchObject({ treatedDecided: body.treatment.decided, total: recovery.incremental.total });
    console.log(
      `lift e2e: control ${body.control.converted}/${body.control.decided}, treatment ${body.treatment.converted}/${body.treatment.decided}, ` +
        `lift ${(body.lift.absolute * 100).toFixed(1)} pp (always-valid ${(body.lift.ci.low * 100).toFixed(1)}–${(body.lift.ci.high * 100).toFixed(1)}, ` +
        `fixed ${(body.lift.ciFixed.low * 100).toFixed(1)}–${(body.lift.ciFixed.high * 100).toFixed(1)}); verdict: ${body.verdict.text}`,
    );
  });

  it('keeps a shopper in the same group for a new checkout, and in control when the share is raised', { timeout: 60_000 }, async () => {
    const before = await armsOf(Array.from({ length: SHOPPERS }, (_, i) => `s${i}`));
    const wasControl = [...before].filter(([, a]) => a.arm === 'control').map(([t]) => Number(t.slice(1)));
    const wasTreated = [...before].filter(([, a]) => a.arm === 'treatment').map(([t]) => Number(t.slice(1)));
    const sample = [...wasControl.slice(0, 40), ...wasTreated.slice(0, 40)];
    const again = async (suffix: string, shoppers: number[]) => {
      const events = shoppers.flatMap((i) => checkoutJourney({ tag: `s${i}${suffix}`, timezone: zone, email: email(i), value: 100 }));
      expect((await rig.send(events)).status).toBe(200);
      await eventually(async () => (await armsOf(shoppers.map((i) => `s${i}${suffix}`))).size, (n) => n === shoppers.length, 20_000);
      return armsOf(shoppers.map((i) => `s${i}${suffix}`));
    };
    // A new checkout of the same shopper: the same group.
    const second = await again('-b', sample);
    for (const i of sample) expect(second.get(`s${i}-b`)!.arm).toBe(before.get(`s${i}`)!.arm);

    // The marketer raises the holdout from 30 % to 40 %: every shopper held out stays held out.
    const current = (await marketer.get(`/campaigns/${campaignId}`)).body;
    const raised = await marketer.put(`/campaigns/${campaignId}`, { ...current, holdoutPercent: 40 });
    expect(raised.status).toBe(200);
    const third = await again('-c', sample);
    for (const i of wasControl.slice(0, 40)) expect(third.get(`s${i}-c`)!.arm).toBe('control');
    expect([...third.values()].every((a) => Math.abs(a.control_probability - 0.4) < 1e-9)).toBe(true);
    // Earlier enrollments keep the group and probability they were assigned with.
    expect((await armsOf(sample.map((i) => `s${i}`))).get(`s${wasControl[0]}`)).toEqual(before.get(`s${wasControl[0]}`));
  });

  it('answers 400 naming the parameter, and only signed-in users', async () => {
    expect((await adminClient(rig.t, null).get('/reports/lift')).status).toBe(401);
    const bad = await admin.get('/reports/lift', { campaignId: 'nope', stepIndex: '-1', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['campaignId', 'colour', 'stepIndex']);
    expect((await admin.get('/reports/lift', { from: '2026-13-01' })).status).toBe(400);
  });
});
