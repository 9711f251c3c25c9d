import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbandonCheckout } from '../server/recovery/abandonment/abandon-checkout';
import { AbandonmentSweep } from '../server/recovery/abandonment/abandonment-sweep';
import { daytimeZone } from './support/daytime-zone';
import { bearer } from './support/events';
import { postJson, startTestApp, TestApp } from './support/test-app';

/** The sweep and the abandon job, driven by hand with a clock we move (no worker runs in this app). */
describe('abandonment', () => {
  let t: TestApp;
  let key: string;
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);

  beforeAll(async () => {
    // Email configured (nothing is sent: no worker runs here), so the reachable shopper's reminder is planned:
    // without SMTP the email channel is disabled and nothing would be.
    t = await startTestApp('abandonment', { ROLE: 'api', SMTP_URL: 'smtp://127.0.0.1:9' }, { clock: { now } });
    ({ writeKey: key } = await t.createSource());
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (events: Array<Record<string, unknown>>) =>
    postJson(`${t.url}/v1/events`, { events: events.map((e) => ({ event_id: randomUUID(), occurred_at: now().toISOString(), ...e })) }, bearer(key));
  const checkout = async (external: string) =>
    (await t.pool.query('SELECT id, status, abandoned_at, abandonment FROM checkouts WHERE external_id = $1', [external])).rows[0];
  const abandonJobs = async () => {
    const queue = t.app.get<Queue>(getQueueToken('abandonment'));
    return (await queue.getJobs(['waiting'])).filter((j) => j.name === 'abandon').map((j) => j.data.checkoutId as string);
  };

  it('finds idle reachable checkouts only, once per idle spell, and abandons each once however often it runs', async () => {
    const zone = daytimeZone();
    const cart = { items: [{ sku: 'A', quantity: 1, unit_price: 80 }], currency: 'EUR' };
    expect(
      (
        await send([
          { type: 'checkout_started', checkout_id: 'ab-reachable', cart, customer: { anonymous_id: 'ab-1', email: 'ab1@example.com', timezone: zone } },
          { type: 'payment_failed', checkout_id: 'ab-reachable', properties: { code: 'card_declined' } },
          { type: 'checkout_started', checkout_id: 'ab-anonymous', cart, customer: { anonymous_id: 'ab-2' } },
          { type: 'checkout_started', checkout_id: 'ab-bought', cart, customer: { email: 'ab3@example.com' } },
          { type: 'order_completed', checkout_id: 'ab-bought', order_id: 'ab-o3', revenue: 80 },
        ])
      ).status,
    ).toBe(200);
    const reachable = await checkout('ab-reachable');
    const sweep = t.app.get(AbandonmentSweep);

    expect(await sweep.run()).toEqual({ enqueued: 0, expired: 0 });
    offsetMs = 31 * 60_000;
    await sweep.run();
    await sweep.run();
    // One job, for the only checkout idle past 30 min with a way to reach its shopper and no order.
    expect(await abandonJobs()).toEqual([reachable.id]);

    const abandon = t.app.get(AbandonCheckout);
    expect(await abandon.run(reachable.id)).toBe('enrolled');
    expect(await abandon.run(reachable.id)).toBe('not_active');
    const row = await checkout('ab-reachable');
    expect(row.status).toBe('abandoned');
    expect(row.abandonment).toMatchObject({ stage: 'payment', paymentErrors: 1, cartValue: 80, idleMinutes: 31 });
    const counts = (await t.pool.query('SELECT (SELECT count(*)::int FROM enrollments WHERE checkout_id = $1) AS enrollments, (SELECT count(*)::int FROM messages WHERE checkout_id = $1) AS messages', [reachable.id])).rows[0];
    expect(counts).toEqual({ enrollments: 1, messages: 1 });
    expect((await checkout('ab-anonymous')).status).toBe('active');
    expect((await checkout('ab-bought')).status).toBe('completed');
  });

  it('leaves a checkout the shopper came back to', async () => {
    offsetMs = 0;
    await send([{ type: 'checkout_started', checkout_id: 'ab-back', customer: { email: 'back@example.com' }, cart: { items: [], value: 10, currency: 'EUR' } }]);
    const { id } = await checkout('ab-back');
    offsetMs = 20 * 60_000;
    await send([{ type: 'shipping_entered', checkout_id: 'ab-back' }]);
    offsetMs = 35 * 60_000;
    // Idle for 15 minutes only: the job the sweep would have queued earlier finds it active and not idle enough.
    expect(await t.app.get(AbandonCheckout).run(id)).toBe('waiting_for_trigger');
    expect((await checkout('ab-back')).status).toBe('active');
  });
});
