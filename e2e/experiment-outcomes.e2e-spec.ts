import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../server/database/database';
import { SETTLE_GRACE_HOURS } from '../server/experiments/outcome-sql';
import { settleAll, type SettleOptions } from '../server/experiments/outcome-settler';
import { loadTrainingExamples } from '../server/ml/training-examples';
import { createTestDatabase, type TestDatabase } from './support/test-database';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-11-30T12:00:00Z');
const WINDOW_H = 120;
const EXPIRY_H = 168;
const ECONOMICS = { marginRate: 0.3, messageCost: { email: 0.001, push: 0.0005, sms: 0.0079 } };
const COST: Record<string, number> = ECONOMICS.messageCost;

/** A seeded generator, so a failing run can be replayed (`OUTCOMES_SEED=n`). */
function generator(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Expected {
  enrollmentId: string;
  day: string;
  arm: 'treatment' | 'control' | 'untested';
  p: number;
  converted: number;
  revenue: number;
  discountCost: number;
  messageCost: number;
  messagesSent: number;
  unsubscribed: number;
  /** step → [variant, probability] of the enrollment's first message of the step. */
  variants: Map<number, [string, number]>;
  due: boolean;
}

/**
 * The settler against an independent computation: enrollments of every kind (held out or not, shares that changed,
 * orders inside, outside and before the window, on the checkout or another checkout of the shopper, messages on
 * every channel, redeemed and unredeemed codes, unsubscribes, A/B variants) are settled, and each outcome and every
 * rollup cell is compared with what this test computes from the same facts.
 */
describe('experiment outcomes', () => {
  const seed = Number(process.env.OUTCOMES_SEED ?? Math.floor(Math.random() * 1e6));
  const random = generator(seed);
  let db: TestDatabase;
  let pool: Pool;
  let campaignId: string;
  const expected: Expected[] = [];
  const options: SettleOptions = { now: NOW, timeScale: 1, ...ECONOMICS, batch: 37 };

  beforeAll(async () => {
    db = await createTestDatabase('experiment_outcomes');
    pool = createPool(db.url, 6);
    const source = (await pool.query(`INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ('s', $1, 'k') RETURNING id`, [randomUUID()])).rows[0].id;
    campaignId = (
      await pool.query(`INSERT INTO campaigns (name, steps, attribution_window_hours, expiry_hours) VALUES ('c', '[]', $1, $2) RETURNING id`, [WINDOW_H, EXPIRY_H])
    ).rows[0].id;
    for (let i = 0; i < 240; i++) expected.push(await seedEnrollment(pool, source, campaignId, i, random));
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it(`settles each decided enrollment once, with the outcome computed from the raw rows (seed ${seed})`, async () => {
    await pool.query('DELETE FROM report_dirty_checkouts');
    // Three settlers at once, in small batches: still every enrollment exactly once.
    await Promise.all([settleAll(pool, options), settleAll(pool, options), settleAll(pool, options)]);
    // Settling moves no report fact of the checkouts: it marks none of them to be folded again.
    expect((await pool.query('SELECT count(*)::int AS n FROM report_dirty_checkouts')).rows[0].n).toBe(0);
    const { rows } = await pool.query(
      `SELECT enrollment_id, to_char(day, 'YYYY-MM-DD') AS day, arm, control_probability, converted, revenue::float8, discount_cost::float8,
              message_cost::float8, net_margin::float8, messages_sent, unsubscribed FROM experiment_outcomes`,
    );
    const due = expected.filter((e) => e.due);
    expect(rows).toHaveLength(due.length);
    expect(due.length).toBeGreaterThan(100);
    expect(expected.length - due.length).toBeGreaterThan(20);
    const byId = new Map(rows.map((r) => [r.enrollment_id, r]));
    for (const e of due) {
      const r = byId.get(e.enrollmentId);
      expect({ id: e.enrollmentId, ...r }).toEqual({
        id: e.enrollmentId,
        enrollment_id: e.enrollmentId,
        day: e.day,
        arm: e.arm,
        control_probability: e.p,
        converted: e.converted,
        revenue: e.revenue,
        discount_cost: e.discountCost,
        message_cost: expect.closeTo(e.messageCost, 4),
        net_margin: expect.closeTo(e.revenue * ECONOMICS.marginRate - e.discountCost - e.messageCost, 4),
        messages_sent: e.messagesSent,
        unsubscribed: e.unsubscribed,
      });
    }
    const { rows: unsettled } = await pool.query<{ id: string }>('SELECT id FROM enrollments WHERE settled_at IS NULL');
    expect(new Set(unsettled.map((u) => u.id))).toEqual(new Set(expected.filter((e) => !e.due).map((e) => e.enrollmentId)));
  });

  it('keeps the rollups equal to the outcomes, weighted by the inverse of each group probability', async () => {
    await settleAll(pool, options); // nothing new: counting twice would show below
    const weight = (e: Expected) => (e.arm === 'control' ? 1 / e.p : 1 / (1 - e.p));
    const cells = new Map<string, { units: number; converted: number; w: number; w2: number; convWy: number; revW2y2: number }>();
    for (const e of expected.filter((x) => x.due)) {
      const key = `${e.day}|${e.arm}`;
      const c = cells.get(key) ?? { units: 0, converted: 0, w: 0, w2: 0, convWy: 0, revW2y2: 0 };
      const w = weight(e);
      cells.set(key, { units: c.units + 1, converted: c.converted + e.converted, w: c.w + w, w2: c.w2 + w * w, convWy: c.convWy + w * e.converted, revW2y2: c.revW2y2 + w * w * e.revenue * e.revenue });
    }
    const { rows } = await pool.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, arm, units, converted, w, w2, conv_wy, rev_w2y2 FROM report_lift_daily WHERE campaign_id = $1`, [campaignId]);
    expect(rows).toHaveLength(cells.size);
    for (const r of rows) {
      const c = cells.get(`${r.day}|${r.arm}`)!;
      expect([r.units, r.converted]).toEqual([c.units, c.converted]);
      expect(r.w).toBeCloseTo(c.w, 6);
      expect(r.w2).toBeCloseTo(c.w2, 6);
      expect(r.conv_wy).toBeCloseTo(c.convWy, 6);
      expect(Math.abs(r.rev_w2y2 - c.revW2y2)).toBeLessThanOrEqual(1e-9 * Math.max(1, c.revW2y2));
    }

    const variantCells = new Map<string, { units: number; converted: number; w: number }>();
    for (const e of expected.filter((x) => x.due && x.arm !== 'control')) {
      for (const [step, [name, probability]] of e.variants) {
        const key = `${e.day}|${step}|${name}`;
        const c = variantCells.get(key) ?? { units: 0, converted: 0, w: 0 };
        variantCells.set(key, { units: c.units + 1, converted: c.converted + e.converted, w: c.w + 1 / probability });
      }
    }
    const { rows: variantRows } = await pool.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, step_index, variant, units, converted, w FROM report_variant_daily`);
    expect(variantRows).toHaveLength(variantCells.size);
    expect(variantCells.size).toBeGreaterThan(4);
    for (const r of variantRows) {
      const c = variantCells.get(`${r.day}|${r.step_index}|${r.variant}`)!;
      expect([r.units, r.converted]).toEqual([c.units, c.converted]);
      expect(r.w).toBeCloseTo(c.w, 6);
    }
  });

  it('gives training each settled held-out enrollment as a sequence with no message, at its holdout probability', async () => {
    const context = { stepIndex: 0, cartValue: 80, messagesSent: [] };
    const held = expected.filter((e) => e.due && e.arm === 'control').slice(0, 5);
    for (const e of held) {
      await pool.query(`UPDATE messages SET decision = decision || jsonb_build_object('policy', jsonb_build_object('context', $2::jsonb)) WHERE enrollment_id = $1`, [e.enrollmentId, context]);
    }
    const checkoutOf = new Map((await pool.query('SELECT id, checkout_id FROM enrollments')).rows.map((r) => [r.id, r.checkout_id]));
    const { rows: planned } = await pool.query<{ enrollment_id: string }>('SELECT DISTINCT enrollment_id FROM messages WHERE enrollment_id = ANY($1)', [held.map((e) => e.enrollmentId)]);
    const examples = (await loadTrainingExamples(pool, NOW)).filter((x) => x.action.channel === 'none');
    // One per held-out enrollment that had a decision logged (a planned, withheld message); none for the others.
    expect(examples.map((x) => x.checkoutId).sort()).toEqual(planned.map((r) => checkoutOf.get(r.enrollment_id)).sort());
    expect(examples.length).toBeGreaterThan(0);
    for (const x of examples) {
      const e = held.find((h) => checkoutOf.get(h.enrollmentId) === x.checkoutId)!;
      expect(x).toMatchObject({ action: { channel: 'none', discountPct: 0 }, propensity: e.p, recovered: e.converted === 1, ctx: context });
    }
  });

  it('settles the rest once their windows close and they end, and no sooner', async () => {
    const later = { ...options, now: new Date(NOW.getTime() + 30 * DAY) };
    await settleAll(pool, later);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM enrollments WHERE settled_at IS NULL');
    expect(rows[0].n).toBe(0);
    expect((await pool.query('SELECT count(*)::int AS n FROM experiment_outcomes')).rows[0].n).toBe(expected.length);
  });
});

/** One enrollment with its checkout, shopper, orders, messages, codes and engagements; returns what it should settle to. */
async function seedEnrollment(pool: Pool, sourceId: string, campaignId: string, i: number, random: () => number): Promise<Expected> {
  const abandonedAt = new Date(NOW.getTime() - random() * 12 * DAY);
  const customer = randomUUID();
  const checkout = randomUUID();
  // Two experiment periods: 20 % held out, then 40 %; some enrollments from before any holdout.
  const p = i % 10 === 0 ? 0 : abandonedAt.getTime() < NOW.getTime() - 6 * DAY ? 0.2 : 0.4;
  const arm = p > 0 && random() < p ? 'control' : 'treatment';
  const active = random() < 0.15;
  await pool.query(`INSERT INTO customers (id, email, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $3)`, [customer, `c${i}@x.io`, abandonedAt]);
  await pool.query(
    `INSERT INTO checkouts (id, external_id, source_id, customer_id, status, stage, cart, cart_value, currency, item_count, first_activity_at, last_activity_at, abandoned_at)
     VALUES ($1, $2, $3, $4, 'abandoned', 'contact', '{}', 80, 'EUR', 1, $5, $5, $5)`,
    [checkout, `co-${i}`, sourceId, customer, abandonedAt],
  );
  const enrollment = (
    await pool.query(
      `INSERT INTO enrollments (checkout_id, campaign_id, customer_id, abandoned_at, arm, control_probability, status) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [checkout, campaignId, customer, abandonedAt, arm, p, active ? 'active' : 'completed'],
    )
  ).rows[0].id;

  // Orders: the first one inside [abandonment, abandonment + window) counts, on this checkout or another of the shopper.
  const orderTimes: { at: Date; revenue: number; own: boolean }[] = [];
  const roll = random();
  if (roll < 0.12) orderTimes.push({ at: new Date(abandonedAt.getTime() - HOUR), revenue: 50, own: false });
  if (roll < 0.55) orderTimes.push({ at: new Date(abandonedAt.getTime() + random() * (WINDOW_H + 48) * HOUR), revenue: Math.round(20 + random() * 200), own: random() < 0.7 });
  if (roll < 0.25) orderTimes.push({ at: new Date(abandonedAt.getTime() + random() * WINDOW_H * HOUR), revenue: Math.round(20 + random() * 200), own: false });
  let otherCheckout: string | null = null;
  for (const [k, o] of orderTimes.entries()) {
    if (!o.own && !otherCheckout) {
      otherCheckout = randomUUID();
      await pool.query(
        `INSERT INTO checkouts (id, external_id, source_id, customer_id, status, stage, cart, cart_value, currency, item_count, first_activity_at, last_activity_at)
         VALUES ($1, $2, $3, $4, 'completed', 'completed', '{}', 80, 'EUR', 1, $5, $5)`,
        [otherCheckout, `co-${i}-other`, sourceId, customer, abandonedAt],
      );
    }
    await pool.query(`INSERT INTO orders (order_id, checkout_id, customer_id, revenue, currency, occurred_at) VALUES ($1, $2, $3, $4, 'EUR', $5)`, [
      `o-${i}-${k}`,
      o.own ? checkout : otherCheckout,
      customer,
      o.revenue,
      o.at,
    ]);
  }
  const windowEnd = abandonedAt.getTime() + WINDOW_H * HOUR;
  const first = orderTimes.filter((o) => o.at.getTime() >= abandonedAt.getTime() && o.at.getTime() < windowEnd).sort((a, b) => a.at.getTime() - b.at.getTime())[0];

  // Messages: treated ones sent (some cancelled), held-out ones withheld; step 1 is A/B tested.
  let messagesSent = 0;
  let messageCost = 0;
  let discountCost = 0;
  let unsubscribed = 0;
  const variants = new Map<number, [string, number]>();
  const channels = ['push', 'email', 'sms'] as const;
  for (let step = 0; step < 3; step++) {
    if (random() < 0.2) continue;
    const channel = channels[step];
    const cancelled = random() < 0.15;
    const status = arm === 'control' ? (cancelled ? 'cancelled' : 'withheld') : cancelled ? 'cancelled' : 'sent';
    const variant = step === 1 ? (random() < 0.5 ? 'A' : 'B') : null;
    const probability = variant === 'A' ? 0.5 : 0.5;
    const at = new Date(abandonedAt.getTime() + (step + 1) * 20 * HOUR);
    const message = (
      await pool.query(
        `INSERT INTO messages (key, enrollment_id, checkout_id, customer_id, campaign_id, step_index, channel, status, arm, variant, scheduled_for, sent_at, withheld_at, decision, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $11) RETURNING id`,
        [
          `${enrollment}.${step}.${channel}`, enrollment, checkout, customer, campaignId, step, channel, status, arm, variant, at,
          status === 'sent' ? at : null, status === 'withheld' ? at : null, JSON.stringify(variant ? { variant: { name: variant, probability } } : {}),
        ],
      )
    ).rows[0].id;
    if (variant && !variants.has(step)) variants.set(step, [variant, probability]);
    if (status === 'sent') {
      messagesSent += 1;
      messageCost += COST[channel];
      if (random() < 0.4) {
        const redeemed = random() < 0.5;
        const value = Math.round(random() * 2000) / 100;
        await pool.query(
          `INSERT INTO discount_codes (code, source_id, checkout_id, customer_id, message_id, type, percent, issued_at, expires_at, redeemed_at, redemption)
           VALUES ($1, $2, $3, $4, $5, 'percent', 10, $6, $6::timestamptz + interval '2 days', $7, $8)`,
          [`CODE${i}X${step}`, sourceId, checkout, customer, message, at, redeemed ? at : null, redeemed ? { discountValue: value } : null],
        );
        if (redeemed) discountCost += value;
      }
      if (random() < 0.05) {
        await pool.query(`INSERT INTO message_engagements (message_id, kind, at) VALUES ($1, 'unsubscribed', $2)`, [message, at]);
        unsubscribed = 1;
      }
    }
  }
  const settledBy = abandonedAt.getTime() + (WINDOW_H + SETTLE_GRACE_HOURS) * HOUR;
  const expiredBy = abandonedAt.getTime() + EXPIRY_H * HOUR;
  return {
    enrollmentId: enrollment,
    day: abandonedAt.toISOString().slice(0, 10),
    arm: p === 0 ? 'untested' : arm,
    p,
    converted: first ? 1 : 0,
    revenue: first?.revenue ?? 0,
    discountCost: Math.round(discountCost * 100) / 100,
    messageCost,
    messagesSent,
    unsubscribed,
    variants,
    due: settledBy <= NOW.getTime() && (!active || expiredBy <= NOW.getTime()),
  };
}
