import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, shuffle } from './support/events';
import { postJson, startTestApp, TestApp } from './support/test-app';

/**
 * One shopper's checkout as a storefront reports it: anonymous at first, the cart known by cart id before
 * the checkout id, then contact, shipping, a failed payment, a login, and the order. Every id carries
 * `tag` so several journeys can live in one database.
 */
function journey(tag: string) {
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 9, minute)).toISOString();
  const cart = (qty: number) => ({ items: [{ sku: 'SKU-1', name: 'Boots', quantity: qty, unit_price: 60 }], currency: 'EUR' });
  const anon = { anonymous_id: `anon-${tag}` };
  return [
    { type: 'product_added', occurred_at: at(0), cart_id: `cart-${tag}`, customer: anon, context: { utm_source: 'instagram', user_agent: 'Mozilla/5.0 (iPhone) Mobile' } },
    { type: 'checkout_started', occurred_at: at(1), cart_id: `cart-${tag}`, checkout_id: `co-${tag}`, customer: anon, cart: cart(1) },
    { type: 'checkout_updated', occurred_at: at(2), checkout_id: `co-${tag}`, customer: anon, cart: cart(2) },
    { type: 'contact_entered', occurred_at: at(3), checkout_id: `co-${tag}`, customer: { ...anon, email: `buyer-${tag}@example.com`, phone: '+14155552671', timezone: 'Europe/Paris' } },
    { type: 'consent_changed', occurred_at: at(3), customer: { ...anon, email: `buyer-${tag}@example.com` }, properties: { channel: 'email', granted: true } },
    { type: 'shipping_entered', occurred_at: at(5), checkout_id: `co-${tag}`, customer: anon, context: { utm_source: 'email', user_agent: 'Mozilla/5.0 (Macintosh)' } },
    { type: 'payment_failed', occurred_at: at(6), checkout_id: `co-${tag}`, properties: { code: 'card_declined' } },
    { type: 'identify', occurred_at: at(7), customer: { ...anon, id: `user-${tag}` } },
    { type: 'payment_entered', occurred_at: at(8), checkout_id: `co-${tag}` },
    { type: 'order_completed', occurred_at: at(9), checkout_id: `co-${tag}`, order_id: `order-${tag}`, revenue: 120, customer: { id: `user-${tag}` } },
  ].map((e) => ({ event_id: randomUUID(), ...e }));
}

describe('the checkout projection', () => {
  let t: TestApp;
  let key: string;
  const send = (events: unknown[]) => postJson(`${t.url}/v1/events`, { events }, bearer(key));

  /** The projection of a journey's checkout and customer, with its tag replaced so journeys compare. */
  async function projection(tag: string) {
    const checkout = (
      await t.pool.query(
        `SELECT c.external_id, c.status, c.stage, c.stage_reached_at, c.email, c.phone, c.cart, c.cart_value, c.currency, c.item_count,
                c.device, c.context, c.utm, c.order_id, c.order_revenue, c.payment_errors, c.event_count, c.first_activity_at, c.last_activity_at,
                c.completed_at, c.clocks, cu.user_id, cu.email AS customer_email, cu.phone AS customer_phone, cu.timezone, cu.consent,
                cu.orders_count, cu.lifetime_value, cu.first_seen_at, cu.last_seen_at,
                (SELECT array_agg(kind || ':' || value ORDER BY kind, value) FROM checkout_aliases a WHERE a.checkout_id = c.id) AS aliases,
                (SELECT array_agg(kind || ':' || value ORDER BY kind, value) FROM customer_aliases a WHERE a.customer_id = cu.id) AS customer_aliases,
                (SELECT count(*) FROM events e WHERE e.checkout_id = c.id) AS events
           FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id LEFT JOIN customers cu ON cu.id = c.customer_id
          WHERE a.kind = 'cart' AND a.value = $1`,
        [`cart-${tag}`],
      )
    ).rows;
    const checkouts = Number((await t.pool.query("SELECT count(DISTINCT checkout_id) FROM checkout_aliases WHERE value LIKE '%' || $1", [tag])).rows[0].count);
    const customers = Number((await t.pool.query("SELECT count(DISTINCT customer_id) FROM customer_aliases WHERE value LIKE '%' || $1 || '%'", [tag])).rows[0].count);
    return { checkouts, customers, rows: JSON.parse(JSON.stringify(checkout).replaceAll(tag, 'TAG').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'EVENT-ID')) };
  }

  beforeAll(async () => {
    t = await startTestApp('projection');
    ({ writeKey: key } = await t.createSource());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('builds the live picture of a checkout in order of arrival', async () => {
    for (const event of journey('ordered')) expect((await send([event])).status).toBe(200);
    const p = await projection('ordered');
    expect(p.checkouts).toBe(1);
    expect(p.customers).toBe(1);
    expect(p.rows).toHaveLength(1);
    expect(p.rows[0]).toMatchObject({
      external_id: 'co-TAG',
      status: 'completed',
      stage: 'completed',
      email: 'buyer-TAG@example.com',
      cart_value: '120.0000',
      item_count: 2,
      device: 'desktop',
      utm: { source: 'instagram' },
      order_id: 'order-TAG',
      payment_errors: 1,
      event_count: 8,
      events: '8',
      user_id: 'user-TAG',
      timezone: 'Europe/Paris',
      orders_count: 1,
      lifetime_value: '120.0000',
      consent: { email: { granted: true, at: '2026-11-26T09:03:00.000Z' } },
      aliases: ['cart:cart-TAG', 'checkout:co-TAG', 'order:order-TAG'],
      customer_aliases: ['anonymous:anon-TAG', 'email:buyer-TAG@example.com', 'user:user-TAG'],
    });
  });

  it('ends the same whatever order and grouping the events arrive in, duplicates included', async () => {
    const expected = (await projection('ordered')).rows;
    for (let seed = 1; seed <= 12; seed++) {
      const tag = `shuffled${seed}`;
      const events = shuffle(journey(tag), seed);
      const withReplays = [...events, ...shuffle(events, seed + 100).slice(0, 3)];
      const groups = seed % 3 === 0 ? [withReplays] : withReplays.map((e) => [e]);
      if (seed % 2 === 0) await Promise.all(groups.map((g) => send(g)));
      else for (const g of groups) expect((await send(g)).status).toBe(200);
      const p = await projection(tag);
      expect({ seed, checkouts: p.checkouts, customers: p.customers }).toEqual({ seed, checkouts: 1, customers: 1 });
      expect(p.rows).toEqual(expected);
    }
  });

  it('keeps one checkout under many concurrent requests about it', async () => {
    const events = journey('concurrent');
    const responses = await Promise.all([...events, ...events].map((e) => send([e])));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    expect(responses.reduce((n, r) => n + r.body.accepted, 0)).toBe(events.length);
    const p = await projection('concurrent');
    expect(p.checkouts).toBe(1);
    expect(p.rows).toEqual((await projection('ordered')).rows);
  });

  it('merges an anonymous visitor into the customer they log in as, with their checkouts and orders', async () => {
    const at = (m: number) => new Date(Date.UTC(2026, 10, 26, 8, m)).toISOString();
    const send1 = await send([
      { event_id: randomUUID(), type: 'order_completed', occurred_at: at(0), checkout_id: 'merge-old', order_id: 'merge-o1', revenue: 30, customer: { id: 'merge-user', email: 'merge@example.com' } },
      { event_id: randomUUID(), type: 'checkout_started', occurred_at: at(10), checkout_id: 'merge-new', customer: { anonymous_id: 'merge-anon' }, cart: { items: [], value: 99, currency: 'EUR' } },
    ]);
    expect(send1.status).toBe(200);
    const customerOf = async (checkout: string) => (await t.pool.query('SELECT customer_id FROM checkouts WHERE external_id = $1', [checkout])).rows[0].customer_id;
    expect(await customerOf('merge-old')).not.toBe(await customerOf('merge-new'));

    expect((await send([{ event_id: randomUUID(), type: 'identify', occurred_at: at(11), customer: { anonymous_id: 'merge-anon', id: 'merge-user' } }])).status).toBe(200);
    const customer = await customerOf('merge-old');
    expect(await customerOf('merge-new')).toBe(customer);
    const row = (await t.pool.query('SELECT user_id, email, orders_count, lifetime_value FROM customers WHERE id = $1', [customer])).rows[0];
    expect(row).toEqual({ user_id: 'merge-user', email: 'merge@example.com', orders_count: 1, lifetime_value: '30.0000' });
    expect(Number((await t.pool.query("SELECT count(*) FROM customer_aliases WHERE value LIKE 'merge-%'")).rows[0].count)).toBe(2);
    expect((await t.pool.query("SELECT count(*)::int AS n FROM customers WHERE id NOT IN (SELECT customer_id FROM customer_aliases)")).rows[0].n).toBe(0);
  });

  it('counts an order once however often and by whichever event it is reported', async () => {
    const order = (checkout: string) => ({ event_id: randomUUID(), type: 'order_completed', occurred_at: new Date().toISOString(), checkout_id: checkout, order_id: 'once-o1', revenue: 50, customer: { id: 'once-user' } });
    await send([order('once-co')]);
    await send([order('once-co'), order('once-co')]);
    const row = (await t.pool.query("SELECT orders_count, lifetime_value FROM customers WHERE user_id = 'once-user'")).rows[0];
    expect(row).toEqual({ orders_count: 1, lifetime_value: '50.0000' });
    expect((await t.pool.query("SELECT count(*)::int AS n FROM orders WHERE order_id = 'once-o1'")).rows[0].n).toBe(1);
  });

  it('keeps push subscriptions and consent on the customer', async () => {
    const subscription = {
      endpoint: 'https://fcm.googleapis.com/fcm/send/abc123',
      expirationTime: null,
      keys: { p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM', auth: 'tBHItJI5svbpez7KI4CCXg' },
    };
    const response = await send([
      { event_id: randomUUID(), type: 'push_subscribed', occurred_at: new Date().toISOString(), customer: { anonymous_id: 'push-anon' }, properties: { subscription } },
      { event_id: randomUUID(), type: 'consent_changed', occurred_at: new Date().toISOString(), customer: { anonymous_id: 'push-anon' }, properties: { channel: 'push', granted: true } },
    ]);
    expect(response.status).toBe(200);
    const row = (
      await t.pool.query(
        "SELECT p.endpoint, p.auth, c.consent->'push'->>'granted' AS push FROM push_subscriptions p JOIN customers c ON c.id = p.customer_id JOIN customer_aliases a ON a.customer_id = c.id WHERE a.value = 'push-anon'",
      )
    ).rows[0];
    expect(row).toEqual({ endpoint: subscription.endpoint, auth: subscription.keys.auth, push: 'true' });
  });
});
