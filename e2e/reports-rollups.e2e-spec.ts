import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delayBucket, WINDOW_SECONDS } from '../server/reports/delay-buckets';
import { CHECKOUT_FACTS_SQL, MESSAGE_FACTS_SQL } from '../server/reports/report-facts-sql';
import { foldAll, foldDirtyCheckouts } from '../server/reports/report-folder';
import { apiEvent, bearer, shuffle } from './support/events';
import { getReport, REPORTS_TOKEN, stepCounts } from './support/reports';
import { postJson, startTestApp, TestApp } from './support/test-app';

const NOW = new Date('2026-11-20T12:00:00Z');
const STEPS = ['checkout_started', 'contact_entered', 'shipping_entered', 'payment_entered', 'order_completed'] as const;
const STAGES = ['started', 'contact', 'shipping', 'payment', 'completed'] as const;
const AGENTS = ['Mozilla/5.0 (iPhone) Mobile', 'Mozilla/5.0 (Windows NT 10.0) Chrome/120', 'Mozilla/5.0 (iPad; CPU OS 17_0)', undefined];

/** A small deterministic generator, so a failing run can be replayed from its seed. */
function random(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Random shoppers walk random parts of the funnel (some skip steps, some come back days later, some buy, some
 * share a customer or a cart with another checkout so that checkouts and customers merge); their events are
 * posted shuffled, in concurrent batches, while folds run concurrently in small batches and the recovery
 * engine's tables change under them. Afterwards the rollups must equal a recomputation from the raw rows.
 */
describe('report rollups under concurrent random ingestion', () => {
  let t: TestApp;
  let key: string;
  const seed = Number(process.env.REPORTS_SEED ?? Date.now() % 100_000);

  beforeAll(async () => {
    t = await startTestApp('reports_rollups', { ADMIN_API_TOKEN: REPORTS_TOKEN, SWEEP_INTERVAL_S: '3600' }, { clock: { now: () => NOW } });
    key = (await t.createSource()).writeKey;
  });
  afterAll(async () => t?.close());

  it(`equal a recomputation from the raw rows (seed ${seed})`, async () => {
    const rnd = random(seed);
    const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)];
    const events: Array<Record<string, unknown>> = [];
    for (let n = 0; n < 90; n++) {
      let at = Date.parse('2026-11-15T00:00:00Z') + rnd() * 5.4 * 86_400_000;
      const user = rnd() < 0.6 ? { id: `u-${Math.floor(rnd() * 25)}` } : { anonymous_id: `a-${n}` };
      const context = { user_agent: pick(AGENTS) };
      const cart = rnd() < 0.1 ? `cart-${Math.floor(rnd() * 5)}` : undefined; // shared carts merge checkouts
      const reach = Math.floor(rnd() * 5);
      for (let i = 0; i <= reach; i++) {
        if (i > 0 && i < 4 && rnd() < 0.15) continue; // a skipped step
        at += rnd() < 0.2 ? rnd() * 2 * 86_400_000 : rnd() * 1_200_000;
        if (at > NOW.getTime()) break;
        const type = STEPS[i];
        events.push(apiEvent({
          type, occurred_at: new Date(at).toISOString(), checkout_id: `co-${n}`, ...(cart ? { cart_id: cart } : {}), customer: user, context,
          ...(type === 'order_completed' ? { order_id: `o-${n}`, revenue: 20 + Math.floor(rnd() * 100) } : {}),
        }));
      }
    }
    const shuffled = shuffle(events, seed);
    const batches: Array<Array<Record<string, unknown>>> = [];
    for (let i = 0; i < shuffled.length; ) {
      const size = 3 + Math.floor(rnd() * 12);
      batches.push(shuffled.slice(i, i + size));
      i += size;
    }

    let ingesting = true;
    const post = async () => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) {
        const response = await postJson(`${t.url}/v1/events`, { events: batch }, bearer(key));
        expect(response.status).toBe(200);
      }
    };
    const fold = async () => {
      while (ingesting) {
        await foldDirtyCheckouts(t.pool, { batch: 1 + Math.floor(rnd() * 8) });
      }
    };
    // The recovery engine at work meanwhile: checkouts abandoned and enrolled, messages sent, opened, credited.
    const campaign = (await t.pool.query<{ id: string }>(`SELECT id FROM campaigns LIMIT 1`)).rows[0].id;
    const recover = async () => {
      while (ingesting) {
        await t.pool.query(
          `WITH k AS (SELECT id FROM checkouts WHERE abandoned_at IS NULL ORDER BY random() LIMIT 2),
                a AS (UPDATE checkouts c SET abandoned_at = c.last_activity_at + interval '1 hour' FROM k WHERE c.id = k.id RETURNING c.id, c.abandoned_at),
                e AS (INSERT INTO enrollments (checkout_id, campaign_id, abandoned_at) SELECT id, $1, abandoned_at FROM a ON CONFLICT DO NOTHING RETURNING id, checkout_id, abandoned_at)
           INSERT INTO messages (key, enrollment_id, checkout_id, campaign_id, step_index, channel, scheduled_for)
           SELECT e.id || '.' || s || '.' || ch, e.id, e.checkout_id, $1, s, ch, e.abandoned_at FROM e, generate_series(0, 1) s, unnest(ARRAY['email', 'sms']) ch`,
          [campaign],
        );
        await t.pool.query(`UPDATE messages SET sent_at = scheduled_for, status = 'sent' WHERE id IN (SELECT id FROM messages WHERE sent_at IS NULL ORDER BY random() LIMIT 2)`);
        await t.pool.query(`UPDATE messages SET opened_at = sent_at + interval '5 minutes' WHERE id IN (SELECT id FROM messages WHERE sent_at IS NOT NULL AND opened_at IS NULL ORDER BY random() LIMIT 1)`);
        await t.pool.query(
          `WITH m AS (SELECT id, checkout_id FROM messages WHERE opened_at IS NOT NULL AND recovered_revenue IS NULL ORDER BY random() LIMIT 1),
                u AS (UPDATE messages SET recovered_revenue = 42 FROM m WHERE messages.id = m.id)
           UPDATE checkouts c SET recovered_at = c.abandoned_at + interval '2 hours', status = 'recovered' FROM m WHERE c.id = m.checkout_id`,
        );
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const running = [fold(), fold(), recover()];
    await Promise.all(Array.from({ length: 6 }, post));
    ingesting = false;
    await Promise.all(running);
    await foldAll(t.pool);

    // 1. The facts the rollups count are the facts of the raw rows, checkout by checkout and message by message.
    const order = (sql: string, by: string) => `SELECT * FROM (${sql}) f ORDER BY ${by}`;
    expect((await t.pool.query(order('SELECT * FROM report_checkout_facts', 'checkout_id'))).rows).toEqual(
      (await t.pool.query(order(CHECKOUT_FACTS_SQL, 'checkout_id'))).rows,
    );
    expect((await t.pool.query(order('SELECT * FROM report_message_facts', 'message_id'))).rows).toEqual(
      (await t.pool.query(order(MESSAGE_FACTS_SQL, 'message_id'))).rows,
    );
    // 2. Each rollup equals a GROUP BY of the recomputed facts.
    const funnelKey = 'source_id, device, customer_type, contact_bucket, shipping_bucket, payment_bucket, completed_bucket';
    expect((await t.pool.query(`SELECT day, ${funnelKey}, checkouts FROM report_funnel_daily WHERE checkouts <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`)).rows).toEqual(
      (await t.pool.query(`SELECT started_day AS day, ${funnelKey}, count(*)::int AS checkouts FROM (${CHECKOUT_FACTS_SQL}) f WHERE started_day IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`)).rows,
    );
    expect((await t.pool.query(`SELECT day, campaign_id, abandoned, contacted, recovered, recovered_revenue FROM report_recovery_daily WHERE abandoned <> 0 ORDER BY 1, 2`)).rows).toEqual(
      (await t.pool.query(`SELECT abandoned_day AS day, campaign_id, count(*)::int AS abandoned, sum(contacted)::int AS contacted, sum(recovered)::int AS recovered, sum(recovered_revenue)::numeric(18,4) AS recovered_revenue FROM (${CHECKOUT_FACTS_SQL}) f WHERE abandoned_day IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`)).rows,
    );
    expect((await t.pool.query(`SELECT day, step_index, channel, sent, opened, recovered, contacted_step, contacted_channel FROM report_message_daily WHERE sent <> 0 OR opened <> 0 OR recovered <> 0 OR contacted_step <> 0 ORDER BY 1, 2, 3`)).rows).toEqual(
      (await t.pool.query(`SELECT * FROM (SELECT abandoned_day AS day, step_index, channel, sum(sent)::int AS sent, sum(opened)::int AS opened, sum(recovered)::int AS recovered, sum(first_of_step)::int AS contacted_step, sum(first_of_channel)::int AS contacted_channel FROM (${MESSAGE_FACTS_SQL}) f GROUP BY 1, 2, 3) g WHERE sent <> 0 OR opened <> 0 OR recovered <> 0 OR contacted_step <> 0 ORDER BY 1, 2, 3`)).rows,
    );

    // 3. The funnel endpoint agrees with a walk written again in TypeScript over the checkouts' stage times.
    const { rows } = await t.pool.query<{ stage_reached_at: Record<string, string> }>(`SELECT stage_reached_at FROM checkouts`);
    const tally = { started: [0, 0, 0, 0], contact: [0, 0, 0, 0], shipping: [0, 0, 0, 0], payment: [0, 0, 0, 0], completed: [0, 0, 0, 0] };
    const day = WINDOW_SECONDS['1d'] * 1000;
    for (const row of rows) {
      const times = STAGES.map((s) => (row.stage_reached_at[s] ? Date.parse(row.stage_reached_at[s]) : null));
      const reached = times.filter((x): x is number => x !== null);
      if (reached.length === 0) continue;
      let previous = Math.min(...reached);
      tally.started[0]++;
      tally.started[1]++;
      for (let i = 1; i < 5; i++) {
        const counts = tally[STAGES[i]];
        counts[0]++;
        const at = times[i];
        if (at !== null && delayBucket(at - previous) <= 5) {
          counts[1]++;
          previous = at;
          continue;
        }
        if (NOW.getTime() < previous + day) counts[2]++;
        else counts[3]++;
        break;
      }
    }
    const report = await getReport(t, 'funnel?from=2026-11-01&to=2026-11-20');
    expect(stepCounts(report.body.steps)).toEqual(tally);
    expect(tally.started[0]).toBeGreaterThan(50);
  });
});
