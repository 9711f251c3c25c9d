import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbandonCheckout } from '../server/recovery/abandonment/abandon-checkout';
import { daytimeZone } from './support/daytime-zone';
import { startTestApp, TestApp } from './support/test-app';

const CHECKOUTS = 40;
const STOP_RATE = 0.2;

/**
 * "Send nothing more" is an action the engine really takes: here explored at 20 %, the most allowed (no model is promoted, so the
 * rules decide otherwise). A stopped enrollment ends at once with the reason `policy_stop`, the decision (its
 * context, candidates and propensity) kept on the enrollment, and nothing planned; the others get their reminder.
 */
describe('the policy stops a sequence', () => {
  let t: TestApp;
  let sourceId: string;
  let campaignId: string;

  beforeAll(async () => {
    // Email configured (nothing is sent: no worker here): a channel without configuration would never be planned.
    t = await startTestApp('policy_stop', { ROLE: 'api', SMTP_URL: 'smtp://127.0.0.1:9', ML_STOP_EXPLORATION_RATE: String(STOP_RATE) });
    ({ id: sourceId } = await t.createSource());
    campaignId = (
      await t.pool.query(`INSERT INTO campaigns (name, priority, trigger_idle_minutes, steps) VALUES ('stop', 1, 1, $1) RETURNING id`, [
        JSON.stringify([{ delayMinutes: 0, channels: ['email'], templates: { email: 'reminder-email' } }]),
      ])
    ).rows[0].id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`ends about a fifth of ${CHECKOUTS} enrollments with policy_stop, recording the decision, and plans the rest`, async () => {
    const abandon = t.app.get(AbandonCheckout);
    const idleSince = new Date(Date.now() - 5 * 60_000);
    for (let i = 0; i < CHECKOUTS; i++) {
      const customer = randomUUID();
      const checkout = randomUUID();
      await t.pool.query(`INSERT INTO customers (id, email, timezone, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`, [customer, `stop-${i}@example.com`, daytimeZone(), idleSince]);
      await t.pool.query(
        `INSERT INTO checkouts (id, external_id, source_id, customer_id, status, stage, email, cart, cart_value, currency, item_count, first_activity_at, last_activity_at)
         VALUES ($1, $2, $3, $4, 'active', 'payment', $5, '{}', 80, 'EUR', 1, $6, $6)`,
        [checkout, `stop-${i}`, sourceId, customer, `stop-${i}@example.com`, idleSince],
      );
      expect(await abandon.run(checkout)).toBe('enrolled');
    }
    const { rows } = await t.pool.query<{ status: string; exit_reason: string | null; stop_decision: any; messages: number }>(
      `SELECT e.status, e.exit_reason, e.stop_decision, (SELECT count(*)::int FROM messages m WHERE m.enrollment_id = e.id) AS messages
         FROM enrollments e WHERE e.campaign_id = $1`,
      [campaignId],
    );
    expect(rows).toHaveLength(CHECKOUTS);
    const stopped = rows.filter((r) => r.exit_reason === 'policy_stop');
    const planned = rows.filter((r) => r.status === 'active');
    expect(stopped.length + planned.length).toBe(CHECKOUTS);
    expect(stopped.length).toBeGreaterThan(2);
    expect(planned.length).toBeGreaterThan(CHECKOUTS / 2);
    for (const r of stopped) {
      expect(r).toMatchObject({ status: 'exited', messages: 0 });
      expect(r.stop_decision).toMatchObject({
        action: { channel: 'none', discountPct: 0 },
        source: 'exploration',
        propensity: STOP_RATE,
        candidates: expect.arrayContaining([{ channel: 'none', discountPct: 0 }, { channel: 'email', discountPct: 0 }]),
        context: { stepIndex: 0, cartValue: 80, hoursSinceAbandon: expect.any(Number) },
      });
      expect(r.stop_decision.reason).toMatch(/^exploring: send nothing more instead of the rules' email, no discount/);
    }
    for (const r of planned) expect(r.messages).toBe(1);
    // The planned reminders carry the rules' decision with the probability it had (stopping took the rest).
    const { rows: decisions } = await t.pool.query<{ policy: any }>(`SELECT decision -> 'policy' AS policy FROM messages WHERE campaign_id = $1`, [campaignId]);
    for (const d of decisions) expect(d.policy).toMatchObject({ action: { channel: 'email' }, source: 'rules', propensity: 1 - STOP_RATE });
  });
});
