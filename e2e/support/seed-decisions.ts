import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { DEFAULT_DISCOUNT_RULES } from '../../campaigns/discount-rules';
import { generateHistory } from '../../ml/simulator/history';
import { parseWorld } from '../../ml/simulator/world';

/**
 * A shop's settled past, as the nightly job finds it: the default simulated world's checkouts, each
 * abandoned, enrolled, sent the messages a uniformly random policy chose (decisions logged on the messages
 * with their propensities) and then recovered or not by the world's known truth. Written in bulk.
 */
export async function seedSettledDecisions(pool: Pool, options: { checkouts: number; end: Date; seed?: number }): Promise<{ decisions: number; recovered: number }> {
  const world = parseWorld({ ...JSON.parse(readFileSync(join(__dirname, '../../ml/worlds/default.json'), 'utf8')), seed: options.seed ?? 11 });
  const { examples } = generateHistory(world, { discountRules: DEFAULT_DISCOUNT_RULES, end: options.end, count: options.checkouts });
  const sent = examples.filter((e) => e.action.channel !== 'none');
  const byCheckout = new Map<string, typeof sent>();
  for (const e of sent) byCheckout.set(e.checkoutId, [...(byCheckout.get(e.checkoutId) ?? []), e]);

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const sourceId = (await client.query(`INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ('history', $1, 'x') RETURNING id`, [randomUUID()])).rows[0].id;
    const campaignId = (
      await client.query(`INSERT INTO campaigns (name, status, priority, steps) VALUES ('history', 'paused', 1000, '[]') RETURNING id`)
    ).rows[0].id;
    const checkouts = [...byCheckout.entries()].map(([externalId, decisions]) => ({
      id: randomUUID(),
      enrollment: randomUUID(),
      external_id: externalId,
      recovered: decisions[0].recovered,
      value: decisions[0].ctx.cartValue,
      stage: decisions[0].ctx.stage,
      abandoned_at: decisions[0].decidedAt.toISOString(),
    }));
    await client.query(
      `INSERT INTO checkouts (id, external_id, source_id, status, stage, cart_value, currency, first_activity_at, last_activity_at, abandoned_at)
       SELECT id, external_id, $2, CASE WHEN recovered THEN 'recovered' ELSE 'abandoned' END, stage, value, 'EUR', abandoned_at, abandoned_at, abandoned_at
         FROM json_to_recordset($1) AS x(id uuid, external_id text, recovered boolean, value numeric, stage text, abandoned_at timestamptz)`,
      [JSON.stringify(checkouts), sourceId],
    );
    await client.query(
      `INSERT INTO enrollments (id, checkout_id, campaign_id, status, abandoned_at, ended_at)
       SELECT enrollment, id, $2, CASE WHEN recovered THEN 'recovered' ELSE 'exited' END, abandoned_at, abandoned_at
         FROM json_to_recordset($1) AS x(id uuid, enrollment uuid, recovered boolean, abandoned_at timestamptz)`,
      [JSON.stringify(checkouts), campaignId],
    );
    const ids = new Map(checkouts.map((c) => [c.external_id, c]));
    const messages = [...byCheckout.entries()].flatMap(([externalId, decisions]) =>
      decisions.map((d, step) => ({
        enrollment: ids.get(externalId)!.enrollment,
        checkout: ids.get(externalId)!.id,
        step,
        channel: d.action.channel,
        at: d.decidedAt.toISOString(),
        decision: { policy: { context: d.ctx, action: d.action, propensity: d.propensity, candidates: d.candidates, source: 'exploration' } },
      })),
    );
    await client.query(
      `INSERT INTO messages (key, enrollment_id, checkout_id, campaign_id, step_index, channel, status, scheduled_for, sent_at, decision)
       SELECT enrollment || '.' || step || '.' || channel, enrollment, checkout, $2, step, channel, 'sent', at, at, decision
         FROM json_to_recordset($1) AS x(enrollment uuid, checkout uuid, step int, channel text, at timestamptz, decision jsonb)`,
      [JSON.stringify(messages), campaignId],
    );
    await client.query('COMMIT');
    return { decisions: messages.length, recovered: checkouts.filter((c) => c.recovered).length };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
