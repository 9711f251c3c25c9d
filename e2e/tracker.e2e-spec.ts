import { readFileSync } from 'node:fs';
import { createServer, get, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TRACKER_MAX_GZIP_BYTES, trackerPath } from '../server/tracker/tracker.controller';
import { launchChromium } from './support/browser';
import { startTestApp, TestApp } from './support/test-app';

interface Tracker {
  loaded?: boolean;
  init(options: { writeKey?: string; endpoint?: string; debug?: boolean }): void;
  track(type: string, props?: Record<string, unknown>): void;
  identify(customer: Record<string, unknown>): void;
  flush(): Promise<void>;
}

declare global {
  interface Window {
    checkoutTracker: Tracker;
  }
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface StoredEvent {
  event_id: string;
  type: string;
  payload: any;
}

/** A storefront on an origin of its own: pages registered by path; any other path is a page without the tracker. */
class Storefront {
  private readonly pages = new Map<string, string>();
  private count = 0;
  private readonly server: Server;
  origin = '';

  constructor() {
    this.server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://shop').pathname;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(this.pages.get(path) ?? '<!doctype html><title>Elsewhere</title><p>No tracker here.</p>');
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Serves `html` at a fresh path and returns its URL. */
  add(html: string, query = ''): string {
    const path = `/shop/${++this.count}`;
    this.pages.set(path, html);
    return `${this.origin}${path}${query}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A checkout page loading the tracker the way merchants are told to, with the pre-load stub. */
function checkoutPage(trackerUrl: string, writeKey: string, inline = ''): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Checkout - Test shop</title>
<script>window.checkoutTracker = window.checkoutTracker || [];${inline}</script>
<script src="${trackerUrl}" data-write-key="${writeKey}" defer></script>
</head><body><h1>Checkout</h1></body></html>`;
}

function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

const isEventPost = (request: Request) => request.method() === 'POST' && new URL(request.url()).pathname === '/v1/events';

describe('browser tracker (/tracker.js in Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let shop: Storefront;
  let context: BrowserContext;
  let pageErrors: Error[];

  beforeAll(async () => {
    browser = await launchChromium(); // first, so a missing Chromium fails the suite at once with its message
    t = await startTestApp('tracker');
    shop = await new Storefront().start();
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await t?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext();
    pageErrors = [];
  });

  afterEach(async () => {
    await context?.close();
    // Whatever happened in a test, the tracker must never have thrown into the page.
    expect(pageErrors.map((e) => e.message)).toEqual([]);
  });

  const trackerUrl = () => `${t.url}/tracker.js`;

  async function newSource(allowedOrigins = [shop.origin]) {
    return t.createSource({ allowedOrigins });
  }

  /** Opens a page, collecting uncaught errors, and waits until the tracker has replaced the stub. */
  async function open(url: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(url);
    await page.waitForFunction(() => window.checkoutTracker?.loaded === true);
    return page;
  }

  async function eventsOf(sourceId: string): Promise<StoredEvent[]> {
    const { rows } = await t.pool.query<StoredEvent>('SELECT event_id, type, payload FROM events WHERE source_id = $1 ORDER BY occurred_at, event_id', [sourceId]);
    return rows;
  }

  async function waitForEvents(sourceId: string, count: number): Promise<StoredEvent[]> {
    return vi.waitFor(
      async () => {
        const rows = await eventsOf(sourceId);
        expect(rows.length).toBeGreaterThanOrEqual(count);
        return rows;
      },
      { timeout: 10_000, interval: 100 },
    );
  }

  it('delivers checkout events, queued before load and after, in one batch with anonymous id, page and campaign context', async () => {
    const source = await newSource();
    const stubbed = `checkoutTracker.push(['track', 'checkout_started', { checkout_id: 'co_1', cart: { items: [{ sku: 'SKU-1', name: 'Mug', quantity: 2, unit_price: 12.5 }], currency: 'EUR' } }]);`;
    const url = shop.add(checkoutPage(trackerUrl(), source.writeKey, stubbed), '?utm_source=newsletter&utm_medium=email&utm_campaign=spring');
    const posts: Request[] = [];
    context.on('request', (request) => isEventPost(request) && posts.push(request));

    const page = await open(url);
    await page.evaluate(() => window.checkoutTracker.track('contact_entered', { checkout_id: 'co_1', customer: { email: 'ada@example.com' }, step: 'contact' }));
    const rows = await waitForEvents(source.id, 2);

    expect(rows.map((r) => r.type).sort()).toEqual(['checkout_started', 'contact_entered']);
    const anonymousId = await page.evaluate(() => JSON.parse(localStorage.getItem('ct_aid') ?? 'null'));
    expect(anonymousId).toMatch(UUID_V4);
    for (const { event_id, payload } of rows) {
      expect(event_id).toMatch(UUID_V4);
      expect(payload.event_id).toBe(event_id);
      expect(new Date(payload.occurred_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(payload.customer).toMatchObject({ anonymous_id: anonymousId, timezone: expect.any(String), locale: expect.any(String) });
      expect(payload.context).toMatchObject({
        user_agent: expect.stringContaining('Chrome'),
        page: { url, path: new URL(url).pathname, title: 'Checkout - Test shop' },
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: 'spring',
      });
    }
    const contact = rows.find((r) => r.type === 'contact_entered')!.payload;
    expect(contact.customer.email).toBe('ada@example.com');
    expect(contact.properties).toEqual({ step: 'contact' }); // unknown top-level props move into properties
    expect(posts).toHaveLength(1); // both events went in one batch, with the key in a header
    expect(posts[0].headers()['content-type']).toBe('application/json');
    expect(await posts[0].headerValue('authorization')).toBe(`Bearer ${source.writeKey}`);

    const { rows: checkouts } = await t.pool.query('SELECT external_id, stage, email, utm, item_count FROM checkouts WHERE source_id = $1', [source.id]);
    expect(checkouts).toEqual([
      { external_id: 'co_1', stage: 'contact', email: 'ada@example.com', utm: { source: 'newsletter', medium: 'email', campaign: 'spring' }, item_count: 2 },
    ]);
    // Delivered events leave the persisted queue; campaign data is remembered for the visit.
    await vi.waitFor(async () => expect(await page.evaluate(() => localStorage.getItem('ct_queue'))).toBe('[]'));
    expect(await page.evaluate(() => JSON.parse(sessionStorage.getItem('ct_utm') ?? '{}'))).toMatchObject({ utm_source: 'newsletter' });
  });

  it('sends events queued just before the shopper navigates away with sendBeacon on pagehide', async () => {
    const source = await newSource();
    // Beacons leave from the browser process, out of Playwright's sight: record the calls where the next page can read them.
    await context.addInitScript(() => {
      const record = (name: string, entry: unknown) => localStorage.setItem(name, JSON.stringify([...JSON.parse(localStorage.getItem(name) ?? '[]'), entry]));
      const sendBeacon = Navigator.prototype.sendBeacon;
      Navigator.prototype.sendBeacon = function (url: string | URL, data?: BodyInit | null) {
        const queued = sendBeacon.call(this, url, data);
        record('test_beacons', { url: String(url), type: data instanceof Blob ? data.type : typeof data, queued });
        return queued;
      };
      const fetch = window.fetch;
      window.fetch = function (input: RequestInfo | URL, init?: RequestInit) {
        record('test_fetches', String(input instanceof Request ? input.url : input));
        return fetch.call(this, input, init);
      };
    });
    const page = await open(shop.add(checkoutPage(trackerUrl(), source.writeKey)));

    // The flush timer (1 s) never gets to run: the page is gone right after tracking.
    await page.evaluate(() => {
      window.checkoutTracker.track('checkout_started', { checkout_id: 'co_leaving' });
      setTimeout(() => (location.href = '/elsewhere'), 0);
    });
    await page.waitForURL('**/elsewhere');
    expect(await page.evaluate(() => document.title)).toBe('Elsewhere'); // no tracker on this page

    const rows = await waitForEvents(source.id, 1);
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toMatchObject({ type: 'checkout_started', checkout_id: 'co_leaving' });
    const beacons = await page.evaluate(() => JSON.parse(localStorage.getItem('test_beacons') ?? '[]'));
    expect(beacons).toEqual([{ url: `${t.url}/v1/events?writeKey=${encodeURIComponent(source.writeKey)}`, type: 'text/plain', queued: true }]);
    expect(await page.evaluate(() => localStorage.getItem('test_fetches'))).toBeNull(); // the beacon was enough
    expect(await page.evaluate(() => localStorage.getItem('ct_queue'))).toBe('[]');
  });

  it('retries after a 503 with backoff and delivers the batch exactly once', async () => {
    const source = await newSource();
    const page = await open(shop.add(checkoutPage(trackerUrl(), source.writeKey)));
    const attempts: number[] = [];
    const answers: unknown[] = [];
    await page.route(`${t.url}/v1/events*`, async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      attempts.push(Date.now());
      if (attempts.length > 1) return route.fallback();
      return route.fulfill({ status: 503, headers: { 'access-control-allow-origin': shop.origin, 'content-type': 'application/json' }, body: '{"error":"unavailable"}' });
    });
    page.on('response', async (response) => {
      if (isEventPost(response.request()) && response.status() === 200) answers.push(await response.json());
    });

    const eventId = await page.evaluate(() => {
      window.checkoutTracker.track('checkout_started', { checkout_id: 'co_retry' });
      return JSON.parse(localStorage.getItem('ct_queue') ?? '[]')[0].event_id as string;
    });
    const rows = await waitForEvents(source.id, 1);
    expect(rows.map((r) => r.event_id)).toEqual([eventId]);
    expect(attempts).toHaveLength(2);
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(700); // 1 s ± 25 % jitter

    await page.waitForTimeout(2_500); // long enough for a spurious second retry to show up
    expect(attempts).toHaveLength(2);
    expect(answers).toEqual([{ accepted: 1, duplicates: 0 }]);
    expect(await eventsOf(source.id)).toHaveLength(1);
  });

  it('is refused (403) from an origin the source does not allow, without throwing into the page', async () => {
    // Another source allows this shop's origin, so the preflight passes; this source's own origins then refuse it.
    await newSource();
    const source = await newSource(['https://another-shop.example']);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    // The refusal carries no CORS header, so the page (and Playwright's events) only see a failed request:
    // read the status off the wire through the DevTools protocol.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const posts = new Set<string>();
    const statuses: number[] = [];
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.request.method === 'POST' && e.request.url === `${t.url}/v1/events`) posts.add(e.requestId);
    });
    cdp.on('Network.responseReceivedExtraInfo', (e) => {
      if (posts.has(e.requestId)) statuses.push(e.statusCode);
    });
    await page.goto(shop.add(checkoutPage(trackerUrl(), source.writeKey)));
    await page.waitForFunction(() => window.checkoutTracker?.loaded === true);

    const outcome = await page.evaluate(async () => {
      window.checkoutTracker.track('checkout_started', { checkout_id: 'co_refused' });
      window.checkoutTracker.identify({ email: 'eve@example.com' });
      await window.checkoutTracker.flush();
      return 'no exception';
    });

    expect(outcome).toBe('no exception');
    await vi.waitFor(() => expect(statuses[0]).toBe(403), { timeout: 5_000 });
    expect(await eventsOf(source.id)).toEqual([]);
  });

  it('carries what identify() learned on later events, across page loads', async () => {
    const source = await newSource();
    const page = await open(shop.add(checkoutPage(trackerUrl(), source.writeKey)));

    await page.evaluate(() => {
      window.checkoutTracker.identify({ id: 'cust_42', email: 'Ada@Example.com', phone: '+14155552671' });
      window.checkoutTracker.track('checkout_started', { checkout_id: 'co_known' });
    });
    const rows = await waitForEvents(source.id, 2);
    expect(rows.map((r) => r.type).sort()).toEqual(['checkout_started', 'identify']);
    for (const { payload } of rows) expect(payload.customer).toMatchObject({ id: 'cust_42', email: 'Ada@Example.com', phone: '+14155552671' });

    await page.reload();
    await page.waitForFunction(() => window.checkoutTracker?.loaded === true);
    await page.evaluate(() => window.checkoutTracker.track('payment_entered', { checkout_id: 'co_known' }));
    const after = await waitForEvents(source.id, 3);
    const payment = after.find((r) => r.type === 'payment_entered')!.payload;
    expect(payment.customer).toMatchObject({ id: 'cust_42', email: 'Ada@Example.com', anonymous_id: rows[0].payload.customer.anonymous_id });

    const { rows: customers } = await t.pool.query(
      'SELECT DISTINCT cu.user_id, cu.email FROM checkouts c JOIN customers cu ON cu.id = c.customer_id WHERE c.source_id = $1',
      [source.id],
    );
    expect(customers).toEqual([{ user_id: 'cust_42', email: 'ada@example.com' }]);
  });

  it('splits big batches so that every keepalive body stays under 64 KB', async () => {
    const source = await newSource();
    const page = await open(shop.add(checkoutPage(trackerUrl(), source.writeKey)));
    const bodies: number[] = [];
    context.on('request', (request) => isEventPost(request) && bodies.push(request.postDataBuffer()?.length ?? 0));

    // ~4 KB each: 20 of them (the batch size) are too many for one keepalive request.
    await page.evaluate(() => {
      const filler = 'x'.repeat(4_000);
      for (let i = 0; i < 45; i++) window.checkoutTracker.track('checkout_updated', { checkout_id: 'co_big', properties: { i, filler } });
    });
    const rows = await waitForEvents(source.id, 45);
    expect(rows).toHaveLength(45);
    // 20 → 2 requests, 20 → 2, then the last 5 after a second; none retried, as the 64 KiB keepalive quota was respected.
    expect(bodies).toHaveLength(5);
    for (const size of bodies) expect(size).toBeLessThan(64 * 1024);
    expect(Math.max(...bodies)).toBeGreaterThan(40_000);
  });

  it('drops only the events the server names as invalid, and delivers the rest of their batch', async () => {
    const source = await newSource();
    const page = await open(shop.add(checkoutPage(trackerUrl(), source.writeKey)));
    const statuses: number[] = [];
    page.on('response', (response) => isEventPost(response.request()) && statuses.push(response.status()));

    await page.evaluate(() => {
      const tracker = window.checkoutTracker;
      tracker.track('checkout_started', { checkout_id: 'co_mixed' });
      tracker.track('no_such_event', { checkout_id: 'co_mixed' });
      tracker.track('contact_entered', { checkout_id: 'co_mixed', customer: { email: 'not an email' } });
      tracker.track('shipping_entered', { checkout_id: 'co_mixed' });
    });
    const rows = await waitForEvents(source.id, 2);
    expect(rows.map((r) => r.type).sort()).toEqual(['checkout_started', 'shipping_entered']);
    await vi.waitFor(async () => expect(await page.evaluate(() => localStorage.getItem('ct_queue'))).toBe('[]'));
    expect(statuses).toEqual([400, 200]); // refused whole, resent without the two bad events, never retried
  });

  it('keeps events the server never received and delivers them on the next page load', async () => {
    const source = await newSource();
    const url = shop.add(checkoutPage(trackerUrl(), source.writeKey));
    const first = await open(url);
    await first.route(`${t.url}/v1/events*`, (route) => route.abort('internetdisconnected'));
    const failed = first.waitForEvent('requestfailed', (request) => request.url().startsWith(`${t.url}/v1/events`));

    const eventId = await first.evaluate(() => {
      window.checkoutTracker.track('checkout_started', { checkout_id: 'co_offline' });
      return JSON.parse(localStorage.getItem('ct_queue') ?? '[]')[0].event_id as string;
    });
    await failed;
    await first.close();
    expect(await eventsOf(source.id)).toEqual([]);

    const second = await open(url); // same browser profile, so same localStorage
    const rows = await waitForEvents(source.id, 1);
    expect(rows.map((r) => r.event_id)).toEqual([eventId]);
    await vi.waitFor(async () => expect(await second.evaluate(() => localStorage.getItem('ct_queue'))).toBe('[]'));
  });

  it('generates RFC 4122 v4 event ids without crypto.randomUUID', async () => {
    const source = await newSource();
    await context.addInitScript(() => {
      Object.defineProperty(Crypto.prototype, 'randomUUID', { value: undefined, configurable: true });
    });
    const page = await open(shop.add(checkoutPage(trackerUrl(), source.writeKey)));
    expect(await page.evaluate(() => typeof crypto.randomUUID)).toBe('undefined');

    await page.evaluate(() => {
      window.checkoutTracker.track('checkout_started', { checkout_id: 'co_uuid' });
      window.checkoutTracker.track('checkout_updated', { checkout_id: 'co_uuid' });
    });
    const rows = await waitForEvents(source.id, 2);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.event_id).toMatch(UUID_V4);
    expect(rows[0].event_id).not.toBe(rows[1].event_id);
  });

  it('stays quiet without localStorage, sessionStorage, fetch or sendBeacon', async () => {
    const source = await newSource();
    await context.addInitScript(() => {
      for (const name of ['localStorage', 'sessionStorage']) {
        Object.defineProperty(window, name, {
          get() {
            throw new DOMException('storage is disabled', 'SecurityError');
          },
        });
      }
      Object.defineProperty(window, 'fetch', { value: undefined });
      Object.defineProperty(Navigator.prototype, 'sendBeacon', { value: undefined });
    });
    const page = await open(shop.add(checkoutPage(trackerUrl(), source.writeKey)));

    const outcome = await page.evaluate(async () => {
      const tracker = window.checkoutTracker;
      tracker.init({ debug: true });
      tracker.identify({ id: 'cust_1' });
      for (let i = 0; i < 25; i++) tracker.track('checkout_updated', { checkout_id: 'co_bare', step: i });
      tracker.track('checkout_updated', { checkout_id: 'co_bare', circular: window });
      await tracker.flush();
      window.dispatchEvent(new PageTransitionEvent('pagehide'));
      return { cookie: document.cookie };
    });
    expect(outcome.cookie).toMatch(/ct_aid=[0-9a-f-]{36}/); // the anonymous id falls back to a cookie
    expect(await eventsOf(source.id)).toEqual([]);
  });

  it('serves /tracker.js under 6 KB gzipped, with validators and caching', async () => {
    const source = readFileSync(trackerPath());
    const gzipped = await rawGet(trackerUrl(), { 'accept-encoding': 'gzip, deflate, br' });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(gzipped.headers.vary).toMatch(/accept-encoding/i);
    expect(gzipped.headers['cache-control']).toMatch(/public, max-age=\d+/);
    expect(gzipped.headers.etag).toMatch(/^"[^"]+"$/);
    expect(gzipped.body.length).toBeLessThan(TRACKER_MAX_GZIP_BYTES);
    expect(gunzipSync(gzipped.body).equals(source)).toBe(true);

    const plain = await rawGet(trackerUrl(), {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(source)).toBe(true);
    expect(plain.headers.etag).not.toBe(gzipped.headers.etag);

    const refusedGzip = await rawGet(trackerUrl(), { 'accept-encoding': 'gzip;q=0, identity' });
    expect(refusedGzip.headers['content-encoding']).toBeUndefined();

    const revalidated = await rawGet(trackerUrl(), { 'accept-encoding': 'gzip', 'if-none-match': gzipped.headers.etag! });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);

    // And a real browser gets the gzipped bytes.
    const page = await context.newPage();
    const script = page.waitForResponse(trackerUrl());
    await page.goto(shop.add(checkoutPage(trackerUrl(), 'wk_unused')));
    expect(await (await script).headerValue('content-encoding')).toBe('gzip');
  });
});
