import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../server/database/database';
import { SendMessage } from '../server/recovery/sending/send-message';
import { startSmtpPeer, SmtpPeer } from './peers/smtp-peer';
import { daytimeZone } from './support/daytime-zone';
import { postJson, startTestApp, TestApp } from './support/test-app';

const TRIALS = 500;
const PARALLEL = 4;

/**
 * The invariant: no recovery message is handed to a provider after the checkout's order committed, even
 * when the order arrives at the instant the worker sends. Each trial fires a send and an order for the same
 * checkout with random jitter; the SMTP peer looks at the checkout at the moment it receives a message,
 * before acknowledging it, and records a violation if the order is already committed.
 */
describe('suppression race', () => {
  let t: TestApp;
  let smtp: SmtpPeer;
  let observer: Pool;
  let key: string;
  let sourceId: string;
  let campaignId: string;
  const violations: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpPeer({
      beforeAccept: async (mail) => {
        const externalId = mail.to[0].split('@')[0];
        const { rows } = await observer.query('SELECT status FROM checkouts WHERE external_id = $1', [externalId]);
        if (rows[0]?.status !== 'abandoned') violations.push(`${externalId}: received while the checkout was ${rows[0]?.status}`);
      },
    });
    t = await startTestApp('suppression_race', { SMTP_URL: smtp.url, ROLE: 'api', DATABASE_POOL_SIZE: '20' });
    observer = createPool(t.database.url, 4);
    ({ writeKey: key, id: sourceId } = await t.createSource());
    campaignId = (
      await t.pool.query(
        `INSERT INTO campaigns (name, priority, steps, frequency_cap) VALUES ('race', 1, $1, $2) RETURNING id`,
        [JSON.stringify([{ delayMinutes: 0, channels: ['email'], templates: { email: 'reminder-email' } }]), { maxMessages: 1000, windowHours: 1, minGapHours: 0 }],
      )
    ).rows[0].id;
  });
  afterAll(async () => {
    await observer?.end();
    await t?.close();
    await smtp?.close();
  });

  /** An abandoned checkout, enrolled, with its one email due now. */
  async function prepare(trial: number) {
    const tag = `race-${trial}-${randomUUID().slice(0, 8)}`;
    const now = new Date();
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      const customer = randomUUID();
      const checkout = randomUUID();
      await client.query(`INSERT INTO customers (id, email, timezone, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`, [customer, `${tag}@example.com`, daytimeZone(), now]);
      await client.query(
        `INSERT INTO checkouts (id, external_id, source_id, customer_id, status, stage, email, cart, cart_value, currency, item_count,
                                first_activity_at, last_activity_at, abandoned_at)
         VALUES ($1, $2, $3, $4, 'abandoned', 'contact', $5, $6, 50, 'EUR', 1, $7, $7, $7)`,
        [checkout, tag, sourceId, customer, `${tag}@example.com`, { items: [{ sku: 'S', name: 'Socks', quantity: 1, unit_price: 50 }], value: 50, currency: 'EUR' }, now],
      );
      await client.query(`INSERT INTO checkout_aliases (kind, value, checkout_id) VALUES ('checkout', $1, $2)`, [tag, checkout]);
      const enrollment = (
        await client.query(`INSERT INTO enrollments (checkout_id, campaign_id, customer_id, abandoned_at) VALUES ($1, $2, $3, $4) RETURNING id`, [checkout, campaignId, customer, now])
      ).rows[0].id;
      const message = (
        await client.query(
          `INSERT INTO messages (key, enrollment_id, checkout_id, customer_id, campaign_id, step_index, channel, scheduled_for)
           VALUES ($1, $2, $3, $4, $5, 0, 'email', $6) RETURNING id`,
          [`${enrollment}.0.email`, enrollment, checkout, customer, campaignId, now],
        )
      ).rows[0].id;
      await client.query('COMMIT');
      return { tag, message };
    } finally {
      client.release();
    }
  }

  // Both sides wait a random few ms, so sends and orders win the race in turn; which side may wait longer
  // alternates, so both outcomes stay frequent however the two paths' speeds change.
  const head = (trial: number, side: 'send' | 'order') => jitter((trial % 2 === 0) === (side === 'send') ? 60 : 8);
  const jitter = (maxMs: number) => new Promise((r) => setTimeout(r, Math.random() * maxMs));

  it(`never sends after the order committed, over ${TRIALS} trials`, { timeout: 180_000 }, async () => {
    const send = t.app.get(SendMessage);
    const outcomes: Record<string, number> = {};
    let next = 0;
    const worker = async () => {
      while (next < TRIALS) {
        const trial = next++;
        const { tag, message } = await prepare(trial);
        const [sent] = await Promise.all([
          head(trial, 'send').then(() => send.run(message)),
          head(trial, 'order').then(() =>
            postJson(
              `${t.url}/v1/events`,
              { event_id: randomUUID(), type: 'order_completed', occurred_at: new Date().toISOString(), checkout_id: tag, order_id: `o-${tag}`, revenue: 50 },
              { authorization: `Bearer ${key}` },
            ).then((r) => expect(r.status).toBe(200)),
          ),
        ]);
        const status = (await t.pool.query('SELECT status FROM messages WHERE id = $1', [message])).rows[0].status;
        const received = smtp.messages.some((m) => m.to[0].startsWith(`${tag}@`));
        outcomes[`${sent}/${status}/${received ? 'received' : 'not received'}`] = (outcomes[`${sent}/${status}/${received ? 'received' : 'not received'}`] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));

    expect(violations).toEqual([]);
    // Every trial ends one of two ways, and both happened: the race was real.
    expect(Object.keys(outcomes).sort()).toEqual(['not_planned/cancelled/not received', 'sent/sent/received']);
    expect(outcomes['sent/sent/received']).toBeGreaterThan(10);
    expect(outcomes['not_planned/cancelled/not received']).toBeGreaterThan(10);
  });
});
