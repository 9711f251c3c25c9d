import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../server/database/database';
import { AbandonCheckout } from '../server/recovery/abandonment/abandon-checkout';
import { SendMessage } from '../server/recovery/sending/send-message';
import { startSmtpPeer, SmtpPeer } from './peers/smtp-peer';
import { daytimeZone } from './support/daytime-zone';
import { startTestApp, TestApp } from './support/test-app';

const TRIALS = 500;
const PARALLEL = 4;

/**
 * The invariant: no message is ever handed to a provider for an enrollment recorded as control, even while the
 * campaign's holdout is switched between 0 % and 50 % as checkouts are being enrolled and their reminders sent.
 * The SMTP peer looks up the recipient's enrollment at the moment it receives a message, before accepting it.
 */
describe('holdout race', () => {
  let t: TestApp;
  let smtp: SmtpPeer;
  let observer: Pool;
  let sourceId: string;
  let campaignId: string;
  const violations: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpPeer({
      beforeAccept: async (mail) => {
        const externalId = mail.to[0].split('@')[0];
        const { rows } = await observer.query('SELECT e.arm FROM enrollments e JOIN checkouts c ON c.id = e.checkout_id WHERE c.external_id = $1', [externalId]);
        if (rows[0]?.arm !== 'treatment') violations.push(`${externalId}: received for an enrollment in ${rows[0]?.arm ?? 'no group'}`);
      },
    });
    t = await startTestApp('holdout_race', { SMTP_URL: smtp.url, ROLE: 'api', DATABASE_POOL_SIZE: '20' });
    observer = createPool(t.database.url, 4);
    ({ id: sourceId } = await t.createSource());
    campaignId = (
      await t.pool.query(
        `INSERT INTO campaigns (name, priority, trigger_idle_minutes, steps, frequency_cap, holdout_percent) VALUES ('race', 1, 1, $1, $2, 0) RETURNING id`,
        [JSON.stringify([{ delayMinutes: 0, channels: ['email'], templates: { email: 'reminder-email' } }]), { maxMessages: 1000, windowHours: 1, minGapHours: 0 }],
      )
    ).rows[0].id;
  });
  afterAll(async () => {
    await observer?.end();
    await t?.close();
    await smtp?.close();
  });

  /** An active checkout, idle past the campaign's trigger, with a shopper reachable by email. */
  async function idleCheckout(trial: number): Promise<{ tag: string; checkoutId: string }> {
    const tag = `race-${trial}-${randomUUID().slice(0, 8)}`;
    const idleSince = new Date(Date.now() - 5 * 60_000);
    const customer = randomUUID();
    const checkoutId = randomUUID();
    await t.pool.query(`INSERT INTO customers (id, email, timezone, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`, [customer, `${tag}@example.com`, daytimeZone(), idleSince]);
    await t.pool.query(
      `INSERT INTO checkouts (id, external_id, source_id, customer_id, status, stage, email, cart, cart_value, currency, item_count, first_activity_at, last_activity_at)
       VALUES ($1, $2, $3, $4, 'active', 'contact', $5, $6, 50, 'EUR', 1, $7, $7)`,
      [checkoutId, tag, sourceId, customer, `${tag}@example.com`, { items: [{ sku: 'S', name: 'Socks', quantity: 1, unit_price: 50 }], value: 50, currency: 'EUR' }, idleSince],
    );
    return { tag, checkoutId };
  }

  const jitter = (maxMs: number) => new Promise((r) => setTimeout(r, Math.random() * maxMs));

  it(`never sends for an enrollment recorded as control while the holdout flips between 0 and 50 %, over ${TRIALS} trials`, { timeout: 240_000 }, async () => {
    const abandon = t.app.get(AbandonCheckout);
    const send = t.app.get(SendMessage);
    let done = false;
    // The marketer's switch, flipped every few milliseconds for the whole run.
    const flipping = (async () => {
      for (let share = 50; !done; share = 50 - share) {
        await t.pool.query('UPDATE campaigns SET holdout_percent = $2, updated_at = now() WHERE id = $1', [campaignId, share]);
        await jitter(6);
      }
    })();
    const outcomes: Record<string, number> = {};
    let next = 0;
    const worker = async () => {
      while (next < TRIALS) {
        const trial = next++;
        const { tag, checkoutId } = await idleCheckout(trial);
        await jitter(4);
        expect(await abandon.run(checkoutId)).toBe('enrolled');
        const { rows } = await t.pool.query<{ id: string; arm: string }>('SELECT m.id, e.arm FROM messages m JOIN enrollments e ON e.id = m.enrollment_id WHERE m.checkout_id = $1', [checkoutId]);
        expect(rows).toHaveLength(1);
        await jitter(4);
        const sent = await send.run(rows[0].id);
        const status = (await t.pool.query('SELECT status FROM messages WHERE id = $1', [rows[0].id])).rows[0].status;
        const received = smtp.messages.some((m) => m.to[0].startsWith(`${tag}@`));
        const key = `${rows[0].arm}/${sent}/${status}/${received ? 'received' : 'not received'}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    done = true;
    await flipping;

    expect(violations).toEqual([]);
    // Each trial ends one of two ways, and both happened often: the switch really flipped under the enrollments.
    expect(Object.keys(outcomes).sort()).toEqual(['control/withheld/withheld/not received', 'treatment/sent/sent/received']);
    expect(outcomes['control/withheld/withheld/not received']).toBeGreaterThan(50);
    expect(outcomes['treatment/sent/sent/received']).toBeGreaterThan(50);
    // The database refuses outright to hand over a control message.
    const { rows } = await t.pool.query<{ id: string }>(`SELECT id FROM messages WHERE arm = 'control' LIMIT 1`);
    await expect(t.pool.query(`UPDATE messages SET status = 'sending' WHERE id = $1`, [rows[0].id])).rejects.toThrow(/messages_control_never_sent/);
  });
});
