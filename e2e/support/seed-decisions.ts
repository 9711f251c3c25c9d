import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { DEFAULT_DISCOUNT_RULES } from '../../campaigns/discount-rules';
import type { TrainingExample } from '../../ml/model';
import { generateHistory } from '../../ml/simulator/history';
import { parseWorld } from '../../ml/simulator/world';
import { type AppConfig, loadConfig } from '../../server/config/app-config';
import { settleAll } from '../../server/experiments/outcome-settler';

const HOUR = 3_600_000;
/** Campaign hours between two steps of the seeded sequences, and from the last one to a recovery's order. */
const STEP_HOURS = 24;
const ORDER_AFTER_HOURS = 12;

export interface SeededDecisions {
  /** Logged decisions (sent messages and policy stops) of the enrollments that settled: what training loads. */
  decisions: number;
  /** Settled enrollments, and those of them that converted. */
  settled: number;
  recovered: number;
}

/**
 * A shop's past, as the nightly job finds it: the default simulated world's checkouts, each abandoned, enrolled
 * (treated, never held out), sent the messages a uniformly random policy chose — decisions logged on the messages,
 * a "send nothing more" on the enrollment, with their propensities — and then ordered or not by the world's known
 * truth (an order within the attribution window, a redeemed code for the largest offer). Written in bulk through the
 * real tables; then the settler computes each outcome whose window has closed, as it would in production. Steps are
 * a day of campaign time apart (`CAMPAIGN_TIME_SCALE` applies), so with a real-time scale the newest few days stay
 * unsettled.
 */
export async function seedSettledDecisions(
  pool: Pool,
  options: {
    checkouts: number;
    end: Date;
    seed?: number;
    /** The app's: its campaign time scale and economics, as its own settler uses them. @defaultValue the defaults (real time) */
    config?: Pick<AppConfig, 'campaignTimeScale' | 'ml'>;
  },
): Promise<SeededDecisions> {
  const config = options.config ?? loadConfig({});
  const world = parseWorld({ ...JSON.parse(readFileSync(join(__dirname, '../../ml/worlds/default.json'), 'utf8')), seed: options.seed ?? 11 });
  const { examples } = generateHistory(world, { discountRules: DEFAULT_DISCOUNT_RULES, end: options.end, count: options.checkouts });
  const byCheckout = new Map<string, TrainingExample[]>();
  for (const e of examples) byCheckout.set(e.checkoutId, [...(byCheckout.get(e.checkoutId) ?? []), e]);
  const scale = config.campaignTimeScale;
  const at = (from: Date, hours: number) => new Date(from.getTime() + hours * HOUR * scale).toISOString();
  const logged = (d: TrainingExample) => ({ context: d.ctx, action: d.action, propensity: d.propensity, candidates: d.candidates, rulesAction: d.rulesAction, source: 'exploration', modelVersion: null, reason: 'seeded history' });

  const checkouts = [...byCheckout.entries()].map(([externalId, decisions]) => {
    const abandoned = decisions[0].decidedAt;
    const sends = decisions.filter((d) => d.action.channel !== 'none');
    const stop = decisions.find((d) => d.action.channel === 'none') ?? null;
    const lastHours = (decisions.length - 1) * STEP_HOURS;
    const offer = sends.reduce((top, d, step) => (d.action.discountPct > (top?.pct ?? 0) ? { step, pct: d.action.discountPct } : top), null as { step: number; pct: number } | null);
    const recovered = decisions[0].recovered;
    const orderAt = at(abandoned, lastHours + ORDER_AFTER_HOURS);
    return {
      id: randomUUID(),
      enrollment: randomUUID(),
      external_id: externalId,
      recovered,
      value: decisions[0].ctx.cartValue,
      stage: decisions[0].ctx.stage,
      abandoned_at: abandoned.toISOString(),
      // A stop ends the enrollment at once (the shopper may still order afterwards); a recovery ends it at the order.
      ended_at: recovered && !stop ? orderAt : at(abandoned, lastHours),
      order_at: orderAt,
      status: stop ? 'exited' : recovered ? 'recovered' : 'completed',
      exit_reason: stop ? 'policy_stop' : recovered ? null : 'sequence_done',
      stop_decision: stop ? logged(stop) : null,
      sends,
      offer: recovered ? offer : null,
    };
  });

  // The seeding connection is released before settling: the settler takes its own (a pool of one would wait forever).
  const client = await pool.connect();
  let campaignId: string;
  try {
    await client.query('BEGIN');
    const sourceId = (await client.query(`INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ('history', $1, 'x') RETURNING id`, [randomUUID()])).rows[0].id;
    campaignId = (await client.query(`INSERT INTO campaigns (name, status, priority, steps) VALUES ('history', 'paused', 1000, '[]') RETURNING id`)).rows[0].id;
    await client.query(
      `INSERT INTO checkouts (id, external_id, source_id, status, stage, cart_value, currency, first_activity_at, last_activity_at, abandoned_at)
       SELECT id, external_id, $2, CASE WHEN recovered THEN 'recovered' ELSE 'abandoned' END, stage, value, 'EUR', abandoned_at, abandoned_at, abandoned_at
         FROM json_to_recordset($1) AS x(id uuid, external_id text, recovered boolean, value numeric, stage text, abandoned_at timestamptz)`,
      [JSON.stringify(checkouts), sourceId],
    );
    await client.query(
      `INSERT INTO enrollments (id, checkout_id, campaign_id, status, exit_reason, abandoned_at, ended_at, stop_decision)
       SELECT enrollment, id, $2, status, exit_reason, abandoned_at, ended_at, stop_decision
         FROM json_to_recordset($1) AS x(id uuid, enrollment uuid, status text, exit_reason text, abandoned_at timestamptz, ended_at timestamptz, stop_decision jsonb)`,
      [JSON.stringify(checkouts), campaignId],
    );
    const messages = checkouts.flatMap((c) =>
      c.sends.map((d, step) => ({
        id: randomUUID(),
        enrollment: c.enrollment,
        checkout: c.id,
        step,
        channel: d.action.channel,
        at: at(new Date(c.abandoned_at), step * STEP_HOURS),
        decision: { policy: logged(d) },
        code: c.offer?.step === step ? { percent: c.offer.pct, value: (c.value * c.offer.pct) / 100, redeemedAt: c.order_at } : null,
      })),
    );
    await client.query(
      `INSERT INTO messages (id, key, enrollment_id, checkout_id, campaign_id, step_index, channel, status, scheduled_for, sent_at, decision)
       SELECT id, enrollment || '.' || step || '.' || channel, enrollment, checkout, $2, step, channel, 'sent', at, at, decision
         FROM json_to_recordset($1) AS x(id uuid, enrollment uuid, checkout uuid, step int, channel text, at timestamptz, decision jsonb)`,
      [JSON.stringify(messages), campaignId],
    );
    // A recovery is an order of the cart within the window; its largest offer's code was redeemed on it.
    await client.query(
      `INSERT INTO orders (order_id, checkout_id, revenue, currency, occurred_at)
       SELECT 'history-' || external_id, id, value, 'EUR', order_at FROM json_to_recordset($1) AS x(id uuid, external_id text, recovered boolean, value numeric, order_at timestamptz)
        WHERE recovered`,
      [JSON.stringify(checkouts)],
    );
    const codes = messages.filter((m) => m.code).map((m) => ({ code: randomBytes(9).toString('hex').toUpperCase(), checkout: m.checkout, message: m.id, at: m.at, ...m.code! }));
    await client.query(
      `INSERT INTO discount_codes (code, source_id, checkout_id, message_id, type, percent, issued_at, expires_at, redeemed_at, redemption)
       SELECT code, $2, checkout, message, 'percent', percent, at, at + interval '2 days', "redeemedAt", jsonb_build_object('discountValue', value)
         FROM json_to_recordset($1) AS x(code text, checkout uuid, message uuid, percent numeric, value numeric, at timestamptz, "redeemedAt" timestamptz)`,
      [JSON.stringify(codes), sourceId],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }

  const { ml, campaignTimeScale } = config;
  await settleAll(pool, { now: new Date(), timeScale: campaignTimeScale, marginRate: ml.marginRate, messageCost: ml.messageCost });
  const { rows } = await pool.query<SeededDecisions>(
    `SELECT count(*)::int AS settled, count(*) FILTER (WHERE o.converted = 1)::int AS recovered,
            (count(e.stop_decision) + (SELECT count(*) FROM messages m JOIN experiment_outcomes x ON x.enrollment_id = m.enrollment_id
                                        WHERE m.campaign_id = $1 AND m.decision ? 'policy'))::int AS decisions
       FROM enrollments e JOIN experiment_outcomes o ON o.enrollment_id = e.id
      WHERE e.campaign_id = $1`,
    [campaignId],
  );
  return rows[0];
}
