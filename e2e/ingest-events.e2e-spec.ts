import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourcesService } from '../server/sources/sources.service';
import { apiEvent, bearer } from './support/events';
import { postJson, startTestApp, TestApp } from './support/test-app';

describe('POST /v1/events', () => {
  let t: TestApp;
  let key: string;
  let sourceId: string;
  const post = (body: unknown, headers: Record<string, string> = {}) => postJson(`${t.url}/v1/events`, body, { ...bearer(key), ...headers });
  const countEvents = async (ids: string[]) => Number((await t.pool.query('SELECT count(*) FROM events WHERE event_id = ANY($1)', [ids])).rows[0].count);

  beforeAll(async () => {
    t = await startTestApp('events');
    ({ writeKey: key, id: sourceId } = await t.createSource({ allowedOrigins: ['https://shop.example'] }));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores one event and answers with what was accepted', async () => {
    const event = apiEvent({ type: 'checkout_started', checkout_id: 'single-1', cart: { items: [{ sku: 'A', quantity: 2, unit_price: 10 }], currency: 'EUR' } });
    const response = await post(event);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accepted: 1, duplicates: 0 });
    const { rows } = await t.pool.query('SELECT type, origin, payload, source_id FROM events WHERE event_id = $1', [event.event_id]);
    expect(rows).toEqual([{ type: 'checkout_started', origin: 'api', payload: event, source_id: sourceId }]);
    const checkout = (await t.pool.query("SELECT cart_value, currency, item_count, stage FROM checkouts WHERE external_id = 'single-1'")).rows[0];
    expect(checkout).toEqual({ cart_value: '20.0000', currency: 'EUR', item_count: 2, stage: 'started' });
  });

  it('stores the same event_id once, within a batch and across requests, and counts the duplicates', async () => {
    const a = apiEvent({ type: 'page_viewed' });
    const b = apiEvent({ type: 'page_viewed' });
    expect((await post({ events: [a, b, a] })).body).toEqual({ accepted: 2, duplicates: 1 });
    expect((await post({ events: [b, a] })).body).toEqual({ accepted: 0, duplicates: 2 });
    expect(await countEvents([a.event_id as string, b.event_id as string])).toBe(2);
  });

  it('counts accepted and duplicate events and refused requests in /metrics', async () => {
    const metric = async (pattern: RegExp) => Number((await (await fetch(`${t.url}/metrics`)).text()).match(pattern)?.[1] ?? 0);
    const accepted = /events_ingested_total\{origin="api",outcome="accepted"\} (\d+)/;
    const duplicate = /events_ingested_total\{origin="api",outcome="duplicate"\} (\d+)/;
    const refused = /ingest_requests_rejected_total\{status="401",reason="unauthorized"\} (\d+)/;
    const before = [await metric(accepted), await metric(duplicate), await metric(refused)];
    const event = apiEvent({ type: 'page_viewed' });
    await post({ events: [event, event] });
    await postJson(`${t.url}/v1/events`, event);
    expect([await metric(accepted), await metric(duplicate), await metric(refused)]).toEqual([before[0] + 1, before[1] + 1, before[2] + 1]);
  });

  describe('refuses bad input with 400, names every problem and stores nothing', () => {
    it('malformed JSON', async () => {
      const response = await post('{"events": [ {"type": ');
      expect(response.status).toBe(400);
      expect(response.body.problems[0]).toMatchObject({ index: null, path: '' });
      expect(response.body.problems[0].message).toMatch(/malformed JSON/);
    });

    it('a content type other than JSON', async () => {
      const response = await post('<event/>', { 'content-type': 'application/xml' });
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/Content-Type "application\/xml" is not accepted/);
    });

    it('a body that is not an event', async () => {
      expect((await post([1, 2])).status).toBe(400);
      expect((await post({ events: 'x' })).body.problems).toEqual([{ index: null, path: 'events', message: 'must be an array of events' }]);
      expect((await post({ events: [] })).status).toBe(400);
    });

    it('every problem of every event, with its index and path, and none of the valid events', async () => {
      const good = apiEvent({ type: 'page_viewed' });
      const bad = apiEvent({
        type: 'checkout_teleported',
        occurred_at: 'yesterday',
        customer: { phone: '0612345678', timezone: 'Mars/Olympus_Mons', email: 'not-an-email' },
        cart: { items: [{ sku: 'A', quantity: '2', unit_price: 10 }], currency: 'eur' },
        surprise: true,
      });
      const future = apiEvent({ type: 'page_viewed', occurred_at: new Date(Date.now() + 25 * 3600_000).toISOString() });
      const response = await post({ events: [good, bad, future] });
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_request');
      const problems = response.body.problems.map((p: { index: number; path: string }) => `${p.index}:${p.path}`);
      expect(problems).toEqual(
        expect.arrayContaining([
          '1:type',
          '1:occurred_at',
          '1:customer.phone',
          '1:customer.timezone',
          '1:customer.email',
          '1:cart.items[0].quantity',
          '1:cart.currency',
          '1:',
          '2:occurred_at',
        ]),
      );
      expect(response.body.problems.find((p: { index: number; path: string }) => p.index === 2).message).toBe('is more than 24 hours in the future');
      expect(response.body.problems.find((p: { index: number; path: string }) => p.index === 1 && p.path === '').message).toMatch(/surprise/);
      expect(await countEvents([good.event_id as string])).toBe(0);
    });

    it('rules that depend on the type', async () => {
      const response = await post({
        events: [
          apiEvent({ type: 'contact_entered' }),
          apiEvent({ type: 'order_completed', checkout_id: 'c' }),
          apiEvent({ type: 'consent_changed', customer: { email: 'a@example.com' }, properties: { channel: 'fax', granted: 'yes' } }),
          apiEvent({ type: 'push_subscribed', customer: { anonymous_id: 'x' }, properties: { subscription: { endpoint: 'http://push.example/1', keys: {} } } }),
          apiEvent({ type: 'identify' }),
          apiEvent({ type: 'page_viewed', event_id: 'not-a-uuid' }),
        ],
      });
      expect(response.status).toBe(400);
      const problems = response.body.problems.map((p: { index: number; path: string }) => `${p.index}:${p.path}`);
      expect(problems).toEqual(
        expect.arrayContaining([
          '0:checkout_id',
          '1:order_id',
          '1:revenue',
          '2:properties.channel',
          '2:properties.granted',
          '3:properties.subscription.endpoint',
          '3:properties.subscription.keys.p256dh',
          '4:customer',
          '5:event_id',
        ]),
      );
    });
  });

  describe('authentication', () => {
    const event = () => apiEvent({ type: 'page_viewed' });

    it('401 without a key, with an unknown key, or with another scheme', async () => {
      expect((await postJson(`${t.url}/v1/events`, event())).status).toBe(401);
      expect((await postJson(`${t.url}/v1/events`, event(), bearer('wk_nope'))).status).toBe(401);
      expect((await postJson(`${t.url}/v1/events`, event(), { authorization: `Token ${key}` })).status).toBe(401);
    });

    it('accepts HTTP Basic with the key as user, and ?writeKey=', async () => {
      const basic = { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` };
      expect((await postJson(`${t.url}/v1/events`, event(), basic)).status).toBe(200);
      expect((await postJson(`${t.url}/v1/events?writeKey=${key}`, event())).status).toBe(200);
    });

    it('401 as soon as a source is disabled, and 200 again once enabled', async () => {
      const other = await t.createSource({ name: 'to disable' });
      expect((await postJson(`${t.url}/v1/events`, event(), bearer(other.writeKey))).status).toBe(200);
      await t.app.get(SourcesService).setEnabled(other.id, false);
      const refused = await postJson(`${t.url}/v1/events`, event(), bearer(other.writeKey));
      expect(refused.status).toBe(401);
      expect(refused.body.message).toMatch(/unknown or disabled write key/);
      await t.app.get(SourcesService).setEnabled(other.id, true);
      expect((await postJson(`${t.url}/v1/events`, event(), bearer(other.writeKey))).status).toBe(200);
    });

    it('checks the key before reading the body', async () => {
      expect((await postJson(`${t.url}/v1/events`, '{broken', bearer('wk_nope'))).status).toBe(401);
    });
  });

  describe('size limits answer 413', () => {
    it('more than 500 events', async () => {
      const events = Array.from({ length: 501 }, () => apiEvent({ type: 'page_viewed' }));
      const response = await post({ events });
      expect(response.status).toBe(413);
      expect(response.body.problems[0].message).toMatch(/at most 500/);
    });

    it('a body over 512 KB', async () => {
      const events = Array.from({ length: 40 }, () => apiEvent({ type: 'page_viewed', properties: { blob: 'x'.repeat(14_000) } }));
      const response = await post({ events });
      expect(response.status).toBe(413);
      expect(await countEvents(events.map((e) => e.event_id as string))).toBe(0);
    });

    it('one event over 32 KB', async () => {
      const small = apiEvent({ type: 'page_viewed' });
      const big = apiEvent({ type: 'page_viewed', properties: { blob: 'x'.repeat(33 * 1024) } });
      const response = await post({ events: [small, big] });
      expect(response.status).toBe(413);
      expect(response.body.problems).toEqual([{ index: 1, path: '', message: 'event is larger than 32 KB' }]);
      expect(await countEvents([small.event_id as string])).toBe(0);
    });
  });

  it('stores hostile keys and strings as given without polluting prototypes or reaching SQL', async () => {
    const sneaky = `x'); DROP TABLE events; --`;
    const body = `{"event_id":"${randomUUID()}","type":"checkout_started","occurred_at":"${new Date().toISOString()}","checkout_id":${JSON.stringify(sneaky)},"properties":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}`;
    const response = await post(body);
    expect(response.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const stored = (await t.pool.query("SELECT payload->'properties' AS properties FROM events WHERE payload->>'checkout_id' = $1", [sneaky])).rows[0];
    expect(Object.keys(stored.properties).sort()).toEqual(['__proto__', 'constructor']);
    expect((await t.pool.query('SELECT external_id FROM checkouts WHERE external_id = $1', [sneaky])).rowCount).toBe(1);
  });

  it('refuses a NUL character with the path where it hides', async () => {
    const response = await post(apiEvent({ type: 'page_viewed', properties: { list: ['ok', 'bad\u0000'] } }));
    expect(response.status).toBe(400);
    expect(response.body.problems[0].path).toBe('properties.list[1]');
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed storefront origin', async () => {
      const response = await fetch(`${t.url}/v1/events`, {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    });

    it('gives an unknown origin no CORS grant, and refuses its requests', async () => {
      const preflight = await fetch(`${t.url}/v1/events`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const response = await post(apiEvent({ type: 'page_viewed' }), { origin: 'https://evil.example' });
      expect(response.status).toBe(403);
    });

    it('grants the allowed origin on the real request', async () => {
      const response = await post(apiEvent({ type: 'page_viewed' }), { origin: 'https://shop.example' });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    });
  });
});
