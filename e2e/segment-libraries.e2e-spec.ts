import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourcesService } from '../server/sources/sources.service';
import { ADMIN_PASSWORD, signInEveryRole, type AdminClient } from './support/admin-client';
import { launchChromium } from './support/browser';
import { ensureConsoleBuilt, signIn, watchPage } from './support/console';
import { startTestApp, TestApp } from './support/test-app';

interface Recorded {
  url: string;
  headers: IncomingHttpHeaders;
  status: number;
  response: string;
}

/**
 * A pass-through proxy in front of the test server that records what the libraries really put on the wire
 * (headers, encoding) and what they got back; the libraries are pointed at it with their host setting only.
 */
async function recordingProxy(target: string): Promise<{ url: string; seen: Recorded[]; close(): Promise<void> }> {
  const seen: Recorded[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const upstream = httpRequest(`${target}${incoming.url}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ url: incoming.url ?? '', headers: incoming.headers, status: answer.statusCode ?? 0, response: body.toString('utf8') });
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        outgoing.end(body);
      });
    });
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function metric(t: TestApp, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const match = pattern.exec(text);
  return match ? Number(match[1]) : 0;
}

const rejectedRequests = (status: number, reason: string) => new RegExp(`ingest_requests_rejected_total\\{status="${status}",reason="${reason}"\\} (\\d+)`);
const rejectedMessages = /events_ingested_total\{origin="segment",outcome="rejected"\} (\d+)/;

describe('Segment and RudderStack libraries, unchanged, against /v1/batch', () => {
  let t: TestApp;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let source: { id: string; writeKey: string };
  let admin: AdminClient;

  const checkoutByRef = async (kind: 'checkout' | 'cart' | 'order', value: string) =>
    (
      await t.pool.query(
        `SELECT c.status, c.stage, c.currency, c.cart_value, c.item_count, c.order_currency FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id WHERE a.kind = $1 AND a.value = $2`,
        [kind, value],
      )
    ).rows;
  const eventCount = async () => Number((await t.pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE source_id = $1', [source.id])).rows[0].n);

  beforeAll(async () => {
    t = await startTestApp('segment_libs');
    proxy = await recordingProxy(t.url);
    admin = (await signInEveryRole(t)).admin;
    // The source's default currency is set through the admin API, as the console's Sources page does.
    const created = await admin.post('/sources', { name: 'Segment pipeline', defaultCurrency: 'EUR' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ defaultCurrency: 'EUR' });
    source = { id: created.body.id, writeKey: created.body.writeKey };
  });
  afterAll(async () => {
    await proxy?.close();
    await t?.close();
  });

  it('validates a source\'s default currency in the admin API, naming defaultCurrency', async () => {
    for (const bad of ['eur', 'EURO', 'XQZ', 12]) {
      const response = await admin.put(`/sources/${source.id}`, { defaultCurrency: bad });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain('defaultCurrency');
    }
    const created = await admin.post('/sources', { name: 'Bad currency', defaultCurrency: 'dollars' });
    expect(created.status).toBe(400);
    expect(JSON.stringify(created.body)).toContain('defaultCurrency');
    const other = await admin.post('/sources', { name: 'Defaults' });
    expect(other.body.defaultCurrency).toBe('USD');
    const changed = await admin.put(`/sources/${other.body.id}`, { defaultCurrency: 'JPY' });
    expect(changed.status).toBe(200);
    expect((await admin.get(`/sources/${other.body.id}`)).body.defaultCurrency).toBe('JPY');
    expect((await t.pool.query('SELECT default_currency FROM sources WHERE id = $1', [source.id])).rows).toEqual([{ default_currency: 'EUR' }]);
  });

  it('sets a source\'s default currency on the console\'s Sources page', async () => {
    await ensureConsoleBuilt();
    const other = (await admin.post('/sources', { name: 'Console currency' })).body;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const watch = watchPage(page);
      await signIn(page, t.url, 'admin@shop.example', ADMIN_PASSWORD);
      await page.goto(`${t.url}/admin/sources`);
      await page.getByText('Console currency').click();
      const currency = page.getByLabel('Default currency');
      await expect.poll(() => currency.inputValue()).toBe('USD');
      await currency.fill('usd1');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByText('Three upper-case letters (ISO 4217), such as EUR').count()).toBeGreaterThan(0);
      await currency.fill('gbp');
      await page.getByRole('button', { name: 'Save' }).click();
      const stored = async () => (await t.pool.query('SELECT default_currency FROM sources WHERE id = $1', [other.id])).rows[0].default_currency;
      await expect.poll(stored, { timeout: 10_000 }).toBe('GBP');
      expect(watch.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('@segment/analytics-node: an ecommerce sequence without currency lands in the source\'s currency', async () => {
    const analytics = new SegmentAnalytics({ writeKey: source.writeKey, host: proxy.url });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    const userId = `seg-user-${randomUUID()}`;
    const abandoned = `seg-co-${randomUUID()}`;
    const bought = `seg-co-${randomUUID()}`;
    const orderId = `seg-order-${randomUUID()}`;
    const products = [{ product_id: 'mug', name: 'Mug', price: 12.5, quantity: 2 }];
    analytics.identify({ userId, traits: { email: `${userId}@example.com` }, context: { timezone: 'Europe/Berlin' } });
    analytics.track({ userId, event: 'Checkout Started', properties: { checkout_id: abandoned, value: 25, products } });
    analytics.track({ userId, event: 'Product Added', properties: { checkout_id: abandoned, cart_id: abandoned, product_id: 'tea', price: 4 } });
    analytics.track({ userId, event: 'Checkout Started', properties: { checkout_id: bought, value: 25, products } });
    analytics.track({ userId, event: 'Order Completed', properties: { checkout_id: bought, order_id: orderId, revenue: 25, products } });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);

    const sent = proxy.seen.filter((r) => r.headers['user-agent']?.startsWith('analytics-node-next'));
    expect(sent.map((r) => [r.url, r.status])).toEqual([['/v1/batch', 200]]);
    expect(JSON.parse(sent[0].response)).toEqual({ success: true, accepted: 5, duplicates: 0, ignored: 0, rejected: [] });

    expect(await checkoutByRef('checkout', abandoned)).toEqual([{ status: 'active', stage: 'started', currency: 'EUR', cart_value: '25.0000', item_count: 2, order_currency: null }]);
    expect(await checkoutByRef('checkout', bought)).toMatchObject([{ status: 'completed', stage: 'completed', currency: 'EUR' }]);
    const order = await t.pool.query('SELECT revenue, currency FROM orders WHERE order_id = $1', [orderId]);
    expect(order.rows).toEqual([{ revenue: '25.0000', currency: 'EUR' }]);
    const customer = await t.pool.query('SELECT email, timezone FROM customers WHERE user_id = $1', [userId]);
    expect(customer.rows).toEqual([{ email: `${userId}@example.com`, timezone: 'Europe/Berlin' }]);
  });

  it('@segment/analytics-node: one invalid message in a batch of 11 is rejected alone, the 10 others stored', async () => {
    const analytics = new SegmentAnalytics({ writeKey: source.writeKey, host: proxy.url });
    const before = { events: await eventCount(), rejected: await metric(t, rejectedMessages), requests: proxy.seen.length };
    const carts = Array.from({ length: 11 }, () => `seg-cart-${randomUUID()}`);
    carts.forEach((cartId, i) =>
      analytics.track({
        anonymousId: `anon-${i}`,
        event: 'Cart Viewed',
        // The sixth names a currency that does not exist: only that message is refused.
        properties: { cart_id: cartId, currency: i === 5 ? 'dollars' : undefined, products: [{ sku: `sku-${i}`, price: 3 }] },
      }),
    );
    await analytics.closeAndFlush();

    const sent = proxy.seen.slice(before.requests);
    expect(sent).toHaveLength(1);
    expect(sent[0].status).toBe(200);
    expect(JSON.parse(sent[0].response)).toEqual({
      success: true,
      accepted: 10,
      duplicates: 0,
      ignored: 0,
      rejected: [{ index: 5, path: 'properties.currency', message: 'must be an ISO 4217 currency code in upper case, such as "EUR"' }],
    });
    expect(await eventCount()).toBe(before.events + 10);
    expect(await checkoutByRef('cart', carts[5])).toEqual([]);
    for (const cartId of [...carts.slice(0, 5), ...carts.slice(6)]) expect(await checkoutByRef('cart', cartId)).toMatchObject([{ stage: 'cart', currency: 'EUR', cart_value: '3.0000' }]);
    expect(await metric(t, rejectedMessages)).toBe(before.rejected + 1);
  });

  it('@rudderstack/rudder-sdk-node v3 with its defaults (gzip, form content type) lands the same sequence', async () => {
    const client = new RudderAnalytics(source.writeKey, { dataPlaneUrl: proxy.url });
    const before = proxy.seen.length;
    const userId = `rs-user-${randomUUID()}`;
    const checkoutId = `rs-co-${randomUUID()}`;
    const orderId = `rs-order-${randomUUID()}`;
    client.identify({ userId, traits: { email: `${userId}@example.com` } });
    client.track({ userId, event: 'Checkout Started', properties: { checkout_id: checkoutId, value: 9, products: [{ product_id: 'socks', price: 4.5, quantity: 2 }] } });
    client.track({ userId, event: 'Product Added', properties: { checkout_id: checkoutId, product_id: 'hat', price: 15 } });
    await client.flush();

    // The library sends its first message at once, the rest at flush.
    const sent = proxy.seen.slice(before);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    for (const request of sent) {
      // What the issue reported: RudderStack's defaults put gzip under a form content type.
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect([request.url, request.status]).toEqual(['/v1/batch', 200]);
    }
    const answers = sent.map((r) => JSON.parse(r.response));
    expect(answers.reduce((sum, a) => sum + a.accepted, 0)).toBe(3);
    expect(answers.every((a) => a.rejected.length === 0 && a.duplicates === 0)).toBe(true);
    expect(await checkoutByRef('checkout', checkoutId)).toEqual([{ status: 'active', stage: 'started', currency: 'EUR', cart_value: '9.0000', item_count: 2, order_currency: null }]);

    client.track({ userId, event: 'Order Completed', properties: { checkout_id: checkoutId, order_id: orderId, total: 9 } });
    await client.flush();
    expect(await checkoutByRef('checkout', checkoutId)).toMatchObject([{ status: 'completed', order_currency: 'EUR' }]);
  });

  it('@rudderstack/rudder-sdk-node: a batch sent twice is stored once (messageId idempotency)', async () => {
    const client = new RudderAnalytics(source.writeKey, { dataPlaneUrl: proxy.url });
    const before = { events: await eventCount(), requests: proxy.seen.length };
    const messageId = randomUUID();
    const message = { anonymousId: 'rs-anon', messageId, event: 'Cart Viewed', properties: { cart_id: `rs-cart-${randomUUID()}` } };
    client.track(message);
    await client.flush();
    client.track(message);
    await client.flush();
    const answers = proxy.seen.slice(before.requests).map((r) => JSON.parse(r.response));
    expect(answers).toEqual([
      { success: true, accepted: 1, duplicates: 0, ignored: 0, rejected: [] },
      { success: true, accepted: 0, duplicates: 1, ignored: 0, rejected: [] },
    ]);
    expect(await eventCount()).toBe(before.events + 1);
  });
});

describe('Compressed and odd bodies on the Segment routes', () => {
  let t: TestApp;
  let writeKey: string;
  let sourceId: string;
  const batch = (cartId: string) => ({ batch: [{ type: 'track', event: 'Cart Viewed', messageId: randomUUID(), anonymousId: 'a', properties: { cart_id: cartId } }] });
  const post = async (path: string, body: Buffer | string, headers: Record<string, string>) => {
    const response = await fetch(`${t.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${writeKey}`, ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
    return { status: response.status, body: await response.json() };
  };
  const stored = async (cartId: string) => (await t.pool.query(`SELECT 1 FROM checkout_aliases WHERE kind = 'cart' AND value = $1`, [cartId])).rowCount;

  beforeAll(async () => {
    t = await startTestApp('segment_bodies');
    ({ writeKey, id: sourceId } = await t.app.get(SourcesService).create({ name: 'Bodies' }));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('decodes gzip and deflate (zlib and raw) bodies, under JSON and form content types', async () => {
    const cases: Array<[string, (b: Buffer) => Buffer, string]> = [
      ['gzip', gzipSync, 'application/json'],
      ['deflate', deflateSync, 'application/x-www-form-urlencoded'],
      ['deflate', deflateRawSync, 'text/plain'],
      ['gzip', gzipSync, 'application/x-www-form-urlencoded; charset=utf-8'],
      ['br', brotliCompressSync, 'application/octet-stream'],
      ['gzip, identity', gzipSync, 'application/json'],
      ['gzip', gzipSync, ''],
    ];
    for (const [encoding, encode, type] of cases) {
      const cartId = `cart-${randomUUID()}`;
      const response = await post('/v1/batch', encode(Buffer.from(JSON.stringify(batch(cartId)))), { 'content-encoding': encoding, ...(type ? { 'content-type': type } : {}) });
      expect([encoding, type, response.status, response.body]).toEqual([encoding, type, 200, { success: true, accepted: 1, duplicates: 0, ignored: 0, rejected: [] }]);
      expect(await stored(cartId)).toBe(1);
    }
    const single = await post('/v1/track', gzipSync(JSON.stringify({ event: 'Cart Viewed', messageId: randomUUID(), anonymousId: 'a', properties: { cart_id: 'c-single' } })), {
      'content-encoding': 'gzip',
      'content-type': 'application/json',
    });
    expect(single.status).toBe(200);
  });

  it('answers 400 to a corrupt gzip stream, naming the encoding, and 413 to a compression bomb; nothing stored', async () => {
    const before = Number((await t.pool.query('SELECT count(*) AS n FROM events WHERE source_id = $1', [sourceId])).rows[0].n);
    const corrupt = gzipSync(JSON.stringify(batch('never-1'))).subarray(0, 20);
    const bad = await post('/v1/batch', corrupt, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    expect(bad.body.problems[0].message).toMatch(/^body is not valid gzip data \(Content-Encoding: gzip\)/);
    const notDeflate = await post('/v1/batch', Buffer.from('plain text'), { 'content-encoding': 'deflate', 'content-type': 'application/json' });
    expect(notDeflate.status).toBe(400);
    expect(notDeflate.body.problems[0].message).toMatch(/deflate/);

    // 10 MB of spaces around a valid batch compress to about 10 KB: refused once decoding passes 512 KB.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"batch":['), Buffer.alloc(10 * 1024 * 1024, ' '), Buffer.from(JSON.stringify(batch('never-2').batch[0]) + ']}')]));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const boom = await post('/v1/batch', bomb, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
    expect(boom.status).toBe(413);
    expect(boom.body).toMatchObject({ error: 'payload_too_large', problems: [{ index: null, path: '', message: 'request body is larger than 512 KB once gzip-decoded' }] });

    const brotliUnknown = await post('/v1/batch', Buffer.from('{}'), { 'content-encoding': 'compress', 'content-type': 'application/json' });
    expect(brotliUnknown.status).toBe(415);
    expect(brotliUnknown.body).toMatchObject({ error: 'unsupported_media_type' });
    const xml = await post('/v1/batch', '<batch/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect(Number((await t.pool.query('SELECT count(*) AS n FROM events WHERE source_id = $1', [sourceId])).rows[0].n)).toBe(before);
  });

  it('still checks the write key first: a corrupt body without a key is a 401', async () => {
    const response = await fetch(`${t.url}/v1/batch`, { method: 'POST', headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' }, body: new Uint8Array(Buffer.from('nope')) });
    expect(response.status).toBe(401);
  });

  it('answers 400 to a body that is not a batch at all, and counts every refusal by status and reason', async () => {
    const before = {
      invalidBody: await metric(t, rejectedRequests(400, 'invalid_body')),
      invalidEvent: await metric(t, rejectedRequests(400, 'invalid_event')),
      tooLarge: await metric(t, rejectedRequests(413, 'too_large')),
      unsupported: await metric(t, rejectedRequests(415, 'unsupported_media_type')),
      unauthorized: await metric(t, rejectedRequests(401, 'unauthorized')),
    };
    for (const body of ['"hello"', '{"messages":[]}', '{"batch":{}}', '{"batch":[]}', '{not json']) {
      const response = await post('/v1/batch', body, { 'content-type': 'application/json' });
      expect([body, response.status, response.body.error]).toEqual([body, 400, 'invalid_request']);
    }
    const corrupt = await post('/v1/batch', Buffer.from('not gzip'), { 'content-encoding': 'gzip', 'content-type': 'application/json' });
    expect(corrupt.status).toBe(400);
    // Our own /v1/events keeps its all-or-nothing rule: one bad event refuses the request, counted too.
    const ours = await post('/v1/events', JSON.stringify({ events: [{ type: 'checkout_started' }] }), { 'content-type': 'application/json' });
    expect(ours.status).toBe(400);
    const oneBadMessage = await post('/v1/identify', JSON.stringify({ userId: 'u' }), { 'content-type': 'application/json' });
    expect(oneBadMessage.status).toBe(400);
    const tooLarge = await post('/v1/batch', JSON.stringify({ batch: [], pad: 'x'.repeat(600 * 1024) }), { 'content-type': 'application/json' });
    expect(tooLarge.status).toBe(413);
    const unsupported = await post('/v1/batch', '<batch/>', { 'content-type': 'application/xml' });
    expect(unsupported.status).toBe(415);
    const unauthorized = await fetch(`${t.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauthorized.status).toBe(401);

    expect(await metric(t, rejectedRequests(400, 'invalid_body'))).toBe(before.invalidBody + 6);
    expect(await metric(t, rejectedRequests(400, 'invalid_event'))).toBe(before.invalidEvent + 2);
    expect(await metric(t, rejectedRequests(413, 'too_large'))).toBe(before.tooLarge + 1);
    expect(await metric(t, rejectedRequests(415, 'unsupported_media_type'))).toBe(before.unsupported + 1);
    expect(await metric(t, rejectedRequests(401, 'unauthorized'))).toBe(before.unauthorized + 1);
  });

  it('keeps /v1/events strict about its content type', async () => {
    const response = await post('/v1/events', gzipSync('{}'), { 'content-encoding': 'gzip', 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(400);
  });
});
