import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from './support/test-app';

const SECRET = 'shpss_test_secret';

interface Delivery {
  topic?: string;
  webhookId?: string;
  /** Defaults to the HMAC of the body under SECRET; null sends no signature header. */
  hmac?: string | null;
  writeKey?: string;
  viaAuthorization?: boolean;
}

/** Shopify's signature computed by OpenSSL's own HMAC, not by Node's crypto nor our shopify-hmac.ts. */
function signWithOpenssl(body: string, secret = SECRET): string {
  const digest = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret, '-binary'], { input: Buffer.from(body, 'utf8') });
  return digest.toString('base64');
}

/** The same with Python's hmac module, as Shopify's own Python samples do it. */
function signWithPython(body: string, secret = SECRET): string {
  const script = 'import sys, hmac, hashlib, base64; print(base64.b64encode(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).digest()).decode())';
  return execFileSync('python3', ['-c', script, secret], { input: Buffer.from(body, 'utf8') }).toString('utf8').trim();
}

function sign(body: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('base64');
}

/** Ids that keep each test's checkout, order and customer apart in the suite's shared database. */
function ids() {
  const n = Math.floor(Math.random() * 1e9);
  return {
    token: `ck${randomUUID().replace(/-/g, '')}`,
    cartToken: `ct${randomUUID().replace(/-/g, '')}`,
    orderId: 5_000_000_000_000 + n,
    customerId: 7_000_000_000_000 + n,
    email: `shopper-${n}@example.com`,
  };
}

type Ids = ReturnType<typeof ids>;

function checkoutBody(id: Ids, overrides: Record<string, unknown> = {}) {
  return {
    id: id.orderId + 17,
    token: id.token,
    cart_token: id.cartToken,
    email: id.email,
    buyer_accepts_marketing: true,
    created_at: '2026-03-02T09:14:05-05:00',
    updated_at: '2026-03-02T09:16:41-05:00',
    landing_site: '/products/winter-parka?utm_source=newsletter',
    referring_site: 'https://www.google.com/',
    shipping_lines: [],
    currency: 'USD',
    presentment_currency: 'USD',
    completed_at: null,
    phone: '(613) 555-0123',
    customer_locale: 'en-CA',
    line_items: [
      { key: 'k1', product_id: 7110622675033, quantity: 1, sku: 'PARKA-NAVY-M', title: 'Winter Parka', variant_id: 40094740545625, variant_title: 'Navy / M', price: '249.00' },
      { key: 'k2', product_id: 7110622675034, quantity: 2, sku: '', title: 'Wool Socks', variant_id: 40094740545626, price: '12.50' },
    ],
    abandoned_checkout_url: `https://shop.example.com/548380009/checkouts/${id.token}/recover?key=secret`,
    source_name: 'web',
    total_line_items_price: '274.00',
    total_price: '296.18',
    shipping_address: null,
    billing_address: null,
    customer: {
      id: id.customerId,
      email: id.email,
      first_name: 'Jon',
      last_name: 'Snow',
      phone: null,
      email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: null },
      admin_graphql_api_id: `gid://shopify/Customer/${id.customerId}`,
    },
    ...overrides,
  };
}

function orderBody(id: Ids, overrides: Record<string, unknown> = {}) {
  return {
    id: id.orderId,
    admin_graphql_api_id: `gid://shopify/Order/${id.orderId}`,
    browser_ip: '203.0.113.24',
    buyer_accepts_marketing: true,
    cart_token: id.cartToken,
    checkout_token: id.token,
    client_details: { browser_ip: '203.0.113.24', user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Safari/605.1.15' },
    contact_email: id.email,
    created_at: '2026-03-02T09:20:11-05:00',
    processed_at: '2026-03-02T09:20:10-05:00',
    currency: 'USD',
    presentment_currency: 'USD',
    email: id.email,
    financial_status: 'paid',
    name: '#1042',
    order_number: 1042,
    phone: null,
    total_price: '296.18',
    subtotal_price: '274.00',
    total_tax: '22.18',
    line_items: [
      { id: 1071823172, product_id: 7110622675033, quantity: 1, sku: 'PARKA-NAVY-M', title: 'Winter Parka', variant_id: 40094740545625, price: '249.00' },
      { id: 1071823173, product_id: 7110622675034, quantity: 2, sku: null, title: 'Wool Socks', variant_id: 40094740545626, price: '12.50' },
    ],
    customer: { id: id.customerId, email: id.email, first_name: 'Jon', last_name: 'Snow', admin_graphql_api_id: `gid://shopify/Customer/${id.customerId}` },
    ...overrides,
  };
}

describe('Shopify webhooks', () => {
  let t: TestApp;
  let writeKey: string;
  let sourceId: string;

  beforeAll(async () => {
    t = await startTestApp('shopify');
    ({ writeKey, id: sourceId } = await t.createSource({ shopifySecret: SECRET }));
  });
  afterAll(async () => {
    await t?.close();
  });

  async function deliver(payload: unknown, d: Delivery = {}): Promise<{ status: number; body: any }> {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const hmac = d.hmac === undefined ? sign(raw) : d.hmac;
    if (hmac !== null) headers['x-shopify-hmac-sha256'] = hmac;
    if (d.topic !== undefined) headers['x-shopify-topic'] = d.topic;
    if (d.webhookId !== undefined) headers['x-shopify-webhook-id'] = d.webhookId;
    headers['x-shopify-shop-domain'] = 'north-and-co.myshopify.com';
    headers['x-shopify-api-version'] = '2025-01';
    let url = `${t.url}/v1/webhooks/shopify`;
    if (d.viaAuthorization) headers.authorization = `Bearer ${d.writeKey ?? writeKey}`;
    else url += `?writeKey=${encodeURIComponent(d.writeKey ?? writeKey)}`;
    const response = await fetch(url, { method: 'POST', headers, body: raw });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { status: response.status, body };
  }

  const storedEvents = async (webhookIds: string[]) =>
    (await t.pool.query('SELECT event_id, type, origin FROM events WHERE source_id = $1 AND event_id = ANY($2::text[]) ORDER BY occurred_at', [sourceId, webhookIds.map((w) => `shopify:${w}`)])).rows;

  async function checkoutsOf(id: Ids) {
    const { rows } = await t.pool.query(
      `SELECT DISTINCT c.* FROM checkouts c JOIN checkout_aliases a ON a.checkout_id = c.id
        WHERE (a.kind = 'checkout' AND a.value = $1) OR (a.kind = 'cart' AND a.value = $2) OR (a.kind = 'order' AND a.value = $3)`,
      [id.token, id.cartToken, String(id.orderId)],
    );
    return rows;
  }

  const customerOf = async (id: Ids) => (await t.pool.query('SELECT * FROM customers WHERE user_id = $1', [String(id.customerId)])).rows;

  it('links checkouts/create and orders/create into one completed checkout, an order and a credited customer', async () => {
    const id = ids();
    const [w1, w2] = [randomUUID(), randomUUID()];
    const created = await deliver(checkoutBody(id), { topic: 'checkouts/create', webhookId: w1 });
    expect(created).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0 } });

    let [checkout] = await checkoutsOf(id);
    expect(checkout).toMatchObject({ status: 'active', stage: 'contact', email: id.email, phone: null, currency: 'USD', external_id: id.token, item_count: 3 });
    expect(checkout.utm).toEqual({ source: 'newsletter' });

    const ordered = await deliver(orderBody(id), { topic: 'orders/create', webhookId: w2 });
    expect(ordered).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0 } });

    const checkouts = await checkoutsOf(id);
    expect(checkouts).toHaveLength(1);
    [checkout] = checkouts;
    expect(checkout).toMatchObject({ status: 'completed', stage: 'completed', order_id: String(id.orderId), order_currency: 'USD', event_count: 2 });
    expect(Number(checkout.order_revenue)).toBe(296.18);
    expect(checkout.completed_at.toISOString()).toBe('2026-03-02T14:20:10.000Z');

    const { rows: orders } = await t.pool.query('SELECT * FROM orders WHERE order_id = $1', [String(id.orderId)]);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ checkout_id: checkout.id, customer_id: checkout.customer_id, currency: 'USD' });
    expect(Number(orders[0].revenue)).toBe(296.18);

    const customers = await customerOf(id);
    expect(customers).toHaveLength(1);
    expect(customers[0]).toMatchObject({ id: checkout.customer_id, email: id.email, phone: null, locale: 'en-CA', orders_count: 1 });
    expect(Number(customers[0].lifetime_value)).toBe(296.18);
    expect(customers[0].consent.email.granted).toBe(true);

    const events = await storedEvents([w1, w2]);
    expect(events).toEqual([
      { event_id: `shopify:${w1}`, type: 'checkout_started', origin: 'shopify' },
      { event_id: `shopify:${w2}`, type: 'order_completed', origin: 'shopify' },
    ]);
  });

  it('ends with one completed checkout when orders/create arrives before checkouts/create', async () => {
    const id = ids();
    const [w1, w2, w3] = [randomUUID(), randomUUID(), randomUUID()];
    expect((await deliver(orderBody(id), { topic: 'orders/create', webhookId: w1 })).body).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await deliver(checkoutBody(id), { topic: 'checkouts/create', webhookId: w2 })).body).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await deliver(checkoutBody(id, { shipping_lines: [{ code: 'Standard', price: '0.00', title: 'Standard' }] }), { topic: 'checkouts/update', webhookId: w3 })).status).toBe(200);

    const checkouts = await checkoutsOf(id);
    expect(checkouts).toHaveLength(1);
    expect(checkouts[0]).toMatchObject({ status: 'completed', stage: 'completed', order_id: String(id.orderId), event_count: 3 });
    expect((await t.pool.query('SELECT count(*)::int AS n FROM orders WHERE order_id = $1', [String(id.orderId)])).rows[0].n).toBe(1);
    const customers = await customerOf(id);
    expect(customers).toHaveLength(1);
    expect(customers[0].orders_count).toBe(1);
    expect(Number(customers[0].lifetime_value)).toBe(296.18);
  });

  it('stores a redelivered webhook once and counts the repeat as a duplicate', async () => {
    const id = ids();
    const w = randomUUID();
    const first = await deliver(orderBody(id), { topic: 'orders/create', webhookId: w });
    const again = await deliver(orderBody(id), { topic: 'orders/create', webhookId: w });
    expect(first).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0 } });
    expect(again).toEqual({ status: 200, body: { accepted: 0, duplicates: 1, ignored: 0 } });
    expect(await storedEvents([w])).toHaveLength(1);
    expect((await customerOf(id))[0].orders_count).toBe(1);
  });

  it('accepts the write key in the Authorization header too', async () => {
    const id = ids();
    const w = randomUUID();
    const response = await deliver(checkoutBody(id), { topic: 'checkouts/update', webhookId: w, viaAuthorization: true });
    expect(response).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0 } });
  });

  it('refuses a wrong, garbled or missing HMAC with 401 and stores nothing', async () => {
    const id = ids();
    const w = randomUUID();
    const body = checkoutBody(id);
    const tampered = await deliver(JSON.stringify(body), { topic: 'checkouts/create', webhookId: w, hmac: sign(JSON.stringify({ ...body, total_price: '0.01' })) });
    expect(tampered.status).toBe(401);
    expect(tampered.body).toMatchObject({ error: 'unauthorized', problems: [{ index: null, path: 'headers.x-shopify-hmac-sha256' }] });
    expect((await deliver(body, { topic: 'checkouts/create', webhookId: w, hmac: 'garbage!' })).status).toBe(401);
    const missing = await deliver(body, { topic: 'checkouts/create', webhookId: w, hmac: null });
    expect(missing.status).toBe(401);
    expect(missing.body.message).toContain('missing X-Shopify-Hmac-Sha256');
    expect(await storedEvents([w])).toHaveLength(0);
    expect(await checkoutsOf(id)).toHaveLength(0);
  });

  it('refuses a body signed with a different secret', async () => {
    const id = ids();
    const w = randomUUID();
    const raw = JSON.stringify(orderBody(id));
    const response = await deliver(raw, { topic: 'orders/create', webhookId: w, hmac: sign(raw, 'shpss_another_apps_secret') });
    expect(response.status).toBe(401);
    expect(await storedEvents([w])).toHaveLength(0);
    expect(await t.pool.query('SELECT 1 FROM orders WHERE order_id = $1', [String(id.orderId)])).toMatchObject({ rowCount: 0 });
  });

  it('refuses a source without a Shopify secret, saying so', async () => {
    const other = await t.createSource({ name: 'No Shopify' });
    const response = await deliver(checkoutBody(ids()), { topic: 'checkouts/create', webhookId: randomUUID(), writeKey: other.writeKey });
    expect(response.status).toBe(401);
    expect(response.body.message).toContain('this source has no Shopify secret');
  });

  it('authenticates the write key before anything else', async () => {
    const response = await deliver(checkoutBody(ids()), { topic: 'checkouts/create', webhookId: randomUUID(), writeKey: 'wk_not_a_real_key' });
    expect(response.status).toBe(401);
    expect(response.body.message).toContain('unknown or disabled write key');
  });

  it('answers 400 naming a missing webhook id or topic header, and stores nothing', async () => {
    const id = ids();
    const noId = await deliver(checkoutBody(id), { topic: 'checkouts/create' });
    expect(noId.status).toBe(400);
    expect(noId.body.problems).toEqual([{ index: null, path: 'headers.x-shopify-webhook-id', message: expect.any(String) }]);
    const noTopic = await deliver(checkoutBody(id), { webhookId: randomUUID() });
    expect(noTopic.status).toBe(400);
    expect(noTopic.body.problems).toEqual([{ index: null, path: 'headers.x-shopify-topic', message: expect.any(String) }]);
    expect(await checkoutsOf(id)).toHaveLength(0);
  });

  it('checks the HMAC before reporting problems in the payload', async () => {
    const unsigned = await deliver('{"token": ', { topic: 'checkouts/create', webhookId: randomUUID(), hmac: sign('{}') });
    expect(unsigned.status).toBe(401);
    const signed = await deliver('{"token": ', { topic: 'checkouts/create', webhookId: randomUUID() });
    expect(signed.status).toBe(400);
    expect(signed.body.problems[0].message).toContain('malformed JSON');
  });

  it('answers 400 with precise problems for an unusable payload, storing nothing', async () => {
    const id = ids();
    const w = randomUUID();
    const response = await deliver(orderBody(id, { total_price: '-1.00', processed_at: null, created_at: null }), { topic: 'orders/create', webhookId: w });
    expect(response.status).toBe(400);
    expect(response.body.problems).toEqual([
      { index: null, path: 'processed_at', message: expect.stringContaining('is required') },
      { index: null, path: 'total_price', message: 'must be a non-negative amount, such as "19.99"' },
    ]);
    expect(await storedEvents([w])).toHaveLength(0);
    expect(await checkoutsOf(id)).toHaveLength(0);
  });

  it('accepts a payload signed by independent HMAC implementations (OpenSSL, Python) and refuses a wrong signature', async () => {
    for (const signer of [signWithOpenssl, signWithPython]) {
      const id = ids();
      const w = randomUUID();
      // Non-ASCII text and Shopify's spacing: the signature is over the exact bytes, not a re-serialisation.
      const raw = JSON.stringify(checkoutBody(id, { note: 'Café — façade ✓' }), null, 2);
      const response = await deliver(raw, { topic: 'checkouts/create', webhookId: w, hmac: signer(raw) });
      expect([signer.name, response.status, response.body]).toEqual([signer.name, 200, { accepted: 1, duplicates: 0, ignored: 0 }]);
      expect(await storedEvents([w])).toHaveLength(1);
    }
    const id = ids();
    const w = randomUUID();
    const raw = JSON.stringify(checkoutBody(id));
    const wrongSecret = await deliver(raw, { topic: 'checkouts/create', webhookId: w, hmac: signWithOpenssl(raw, 'shpss_another_secret') });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.problems).toEqual([{ index: null, path: 'headers.x-shopify-hmac-sha256', message: expect.stringContaining('does not match') }]);
    const otherBody = await deliver(raw, { topic: 'checkouts/create', webhookId: w, hmac: signWithPython(`${raw} `) });
    expect(otherBody.status).toBe(401);
    expect(await storedEvents([w])).toHaveLength(0);
    const refusals = await (await fetch(`${t.url}/metrics`)).text();
    expect(refusals).toMatch(/ingest_requests_rejected_total\{status="401",reason="bad_signature"\} [1-9]/);
  });

  it('acknowledges a topic it does not read with 200 and stores nothing', async () => {
    const w = randomUUID();
    const response = await deliver({ id: 1, name: 'Refund' }, { topic: 'refunds/create', webhookId: w });
    expect(response).toEqual({ status: 200, body: { accepted: 0, duplicates: 0, ignored: 1 } });
    expect(await storedEvents([w])).toHaveLength(0);
  });
});
