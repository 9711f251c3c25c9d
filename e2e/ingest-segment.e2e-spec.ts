import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestApp, TestApp } from './support/test-app';

describe('Segment-compatible ingestion', () => {
  let t: TestApp;
  let source: { id: string; writeKey: string };
  let bearer: Record<string, string>;
  let n = 0;
  const id = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;
  const count = async (sql: string, params: unknown[] = []) => Number((await t.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0].n);

  beforeAll(async () => {
    t = await startTestApp('segment');
    source = await t.createSource();
    bearer = { authorization: `Bearer ${source.writeKey}` };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('links Checkout Started (order_id only) and Order Completed (checkout_id + order_id) into one completed checkout', async () => {
    const orderId = id('order');
    const checkoutId = id('checkout');
    const now = Date.now();
    const response = await postJson(
      `${t.url}/v1/batch`,
      {
        batch: [
          {
            type: 'track',
            event: 'Checkout Started',
            messageId: id('m'),
            anonymousId: 'anon-checkout',
            timestamp: new Date(now - 60_000).toISOString(),
            properties: { order_id: orderId, value: 30, currency: 'USD', products: [{ product_id: 'p1', name: 'Mug', price: 15, quantity: 2 }] },
          },
          {
            type: 'track',
            event: 'Order Completed',
            messageId: id('m'),
            anonymousId: 'anon-checkout',
            timestamp: new Date(now - 10_000).toISOString(),
            properties: { checkout_id: checkoutId, order_id: orderId, revenue: 30, currency: 'USD' },
          },
          { type: 'track', event: 'Signed Up', messageId: id('m'), anonymousId: 'anon-checkout' },
        ],
      },
      bearer,
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: true, accepted: 2, duplicates: 0, ignored: 1, rejected: [] });

    const { rows } = await t.pool.query(
      `SELECT DISTINCT c.id, c.status, c.stage, c.external_id, c.order_id, c.item_count FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id
        WHERE (a.kind = 'order' AND a.value = $1) OR (a.kind = 'checkout' AND a.value = $2)`,
      [orderId, checkoutId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'completed', stage: 'completed', external_id: checkoutId, order_id: orderId, item_count: 2 });
    expect(await count(`events WHERE checkout_id = $1 AND origin = 'segment'`, [rows[0].id])).toBe(2);
    const order = await t.pool.query('SELECT checkout_id, revenue, currency FROM orders WHERE order_id = $1', [orderId]);
    expect(order.rows).toEqual([{ checkout_id: rows[0].id, revenue: '30.0000', currency: 'USD' }]);
  });

  it('counts duplicates by messageId and stores them once', async () => {
    const message = { type: 'track', event: 'Cart Viewed', messageId: id('dup'), anonymousId: 'anon-dup', properties: { cart_id: id('cart') } };
    const first = await postJson(`${t.url}/v1/batch`, { batch: [message, message] }, bearer);
    expect(first.body).toEqual({ success: true, accepted: 1, duplicates: 1, ignored: 0, rejected: [] });
    const again = await postJson(`${t.url}/v1/track`, message, bearer);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ success: true, accepted: 0, duplicates: 1, ignored: 0, rejected: [] });
    expect(await count('events WHERE source_id = $1 AND event_id = $2', [source.id, message.messageId])).toBe(1);
  });

  it('stores the valid messages of a batch and reports the bad one alone, storing nothing of it', async () => {
    const good = { type: 'track', event: 'Cart Viewed', messageId: id('ok'), anonymousId: 'a', properties: { cart_id: id('cart') } };
    const bad = { type: 'track', event: 'Checkout Started', anonymousId: 'a', properties: { order_id: id('order') } };
    const before = await count('events');
    const response = await postJson(`${t.url}/v1/batch`, { batch: [good, bad] }, bearer);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: true,
      accepted: 1,
      duplicates: 0,
      ignored: 0,
      rejected: [{ index: 1, path: 'messageId', message: 'is required (a unique id per message, used to drop duplicates)' }],
    });
    expect(await count('events')).toBe(before + 1);
    expect(await count(`checkout_aliases WHERE kind = 'order' AND value = $1`, [bad.properties.order_id])).toBe(0);

    // Resent corrected with the good one again: the good one is a duplicate, the corrected one is stored.
    const fixed = { ...bad, messageId: id('fixed') };
    const again = await postJson(`${t.url}/v1/batch`, { batch: [good, fixed] }, bearer);
    expect(again.body).toEqual({ success: true, accepted: 1, duplicates: 1, ignored: 0, rejected: [] });
    expect(await count('events')).toBe(before + 2);
    expect(await count(`checkout_aliases WHERE kind = 'order' AND value = $1`, [bad.properties.order_id])).toBe(1);
  });

  it('refuses a batch as a whole when its envelope is wrong or it is no batch, storing nothing', async () => {
    const before = await count('events');
    const message = { type: 'track', event: 'Cart Viewed', messageId: id('ok'), anonymousId: 'a', properties: { cart_id: id('cart') } };
    const badContext = await postJson(`${t.url}/v1/batch`, { batch: [message], context: 'web' }, bearer);
    expect(badContext.status).toBe(400);
    expect(badContext.body).toMatchObject({ error: 'invalid_request', problems: [{ index: null, path: 'context' }] });
    const notABatch = await postJson(`${t.url}/v1/batch`, { messages: [message] }, bearer);
    expect(notABatch.status).toBe(400);
    expect(notABatch.body.problems).toEqual([{ index: null, path: '', message: 'body must be a Segment batch { "batch": [...] }, an array of messages, or one message with a "type"' }]);
    expect(await count('events')).toBe(before);
  });

  it('authenticates with HTTP Basic (key as user) and with writeKey in the body', async () => {
    const basic = { authorization: `Basic ${Buffer.from(`${source.writeKey}:`).toString('base64')}` };
    const viaBasic = await postJson(`${t.url}/v1/batch`, { batch: [{ type: 'page', messageId: id('page'), anonymousId: 'anon-basic' }] }, basic);
    expect(viaBasic.status).toBe(200);
    expect(viaBasic.body).toMatchObject({ accepted: 1 });

    const messageId = id('page');
    const viaBody = await postJson(`${t.url}/v1/batch`, { writeKey: source.writeKey, batch: [{ type: 'page', messageId, anonymousId: 'anon-body' }] });
    expect(viaBody.status).toBe(200);
    expect(viaBody.body).toMatchObject({ accepted: 1 });
    const stored = await t.pool.query('SELECT type, payload FROM events WHERE event_id = $1', [messageId]);
    expect(stored.rows).toEqual([{ type: 'page_viewed', payload: { type: 'page', messageId, anonymousId: 'anon-body' } }]);
  });

  it('answers 401 to a missing or unknown write key', async () => {
    const batch = { batch: [{ type: 'page', messageId: id('page'), anonymousId: 'x' }] };
    const missing = await postJson(`${t.url}/v1/batch`, batch);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: 'unauthorized' });
    const unknown = await postJson(`${t.url}/v1/batch`, batch, { authorization: `Basic ${Buffer.from('wk_nope:').toString('base64')}` });
    expect(unknown.status).toBe(401);
  });

  it('takes a single message posted to /v1/batch, as webhook destinations send it', async () => {
    const cartId = id('cart');
    const response = await postJson(
      `${t.url}/v1/batch?writeKey=${encodeURIComponent(source.writeKey)}`,
      { type: 'track', event: 'Cart Viewed', messageId: id('hook'), userId: 'hook-user', properties: { cart_id: cartId, currency: 'EUR', products: [{ sku: 'S1', price: 4 }] } },
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: true, accepted: 1, duplicates: 0, ignored: 0, rejected: [] });
    const { rows } = await t.pool.query(`SELECT c.stage, c.cart_value, c.currency FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id WHERE a.kind = 'cart' AND a.value = $1`, [cartId]);
    expect(rows).toEqual([{ stage: 'cart', cart_value: '4.0000', currency: 'EUR' }]);
  });

  it('links an anonymous shopper to their user id on /v1/identify', async () => {
    const anonymousId = id('anon');
    const userId = id('user');
    const track = await postJson(
      `${t.url}/v1/track`,
      { event: 'Checkout Started', messageId: id('m'), anonymousId, properties: { checkout_id: id('checkout') } },
      bearer,
    );
    expect(track.status).toBe(200);
    const identify = await postJson(
      `${t.url}/v1/identify`,
      { messageId: id('m'), anonymousId, userId, traits: { email: 'Shopper@Example.com' }, context: { timezone: 'Europe/Paris' } },
      bearer,
    );
    expect(identify.status).toBe(200);
    expect(identify.body).toEqual({ success: true, accepted: 1, duplicates: 0, ignored: 0, rejected: [] });

    const aliases = await t.pool.query(
      `SELECT kind, customer_id FROM customer_aliases WHERE (kind = 'anonymous' AND value = $1) OR (kind = 'user' AND value = $2) OR (kind = 'email' AND value = 'shopper@example.com') ORDER BY kind`,
      [anonymousId, userId],
    );
    expect(aliases.rows.map((r) => r.kind)).toEqual(['anonymous', 'email', 'user']);
    expect(new Set(aliases.rows.map((r) => r.customer_id)).size).toBe(1);
    const customer = await t.pool.query('SELECT user_id, email, timezone FROM customers WHERE id = $1', [aliases.rows[0].customer_id]);
    expect(customer.rows).toEqual([{ user_id: userId, email: 'shopper@example.com', timezone: 'Europe/Paris' }]);
  });

  it('refuses a message of another type on a single-type route', async () => {
    const response = await postJson(`${t.url}/v1/page`, { type: 'track', event: 'Cart Viewed', messageId: id('m'), anonymousId: 'a' }, bearer);
    expect(response.status).toBe(400);
    expect(response.body.problems).toEqual([{ index: 0, path: 'type', message: 'must be "page" on /v1/page (or be left out)' }]);
  });
});
