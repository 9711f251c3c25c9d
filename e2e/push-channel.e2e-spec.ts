import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as webpush from 'web-push';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../server/bootstrap';
import { loadConfig } from '../server/config/app-config';
import { createDatabase, createPool } from '../server/database/database';
import { createLogger } from '../server/logging/logger';
import { ChannelSender, OutgoingMessage, PermanentSendError, PushTarget, RenderedPush, TransientSendError } from '../server/recovery/channels/channel';
import { PUSH_SENDER, PUSH_TTL_SECONDS, PushSender } from '../server/recovery/channels/push/push-sender';
import { provisionVapidKeys, VAPID_SETTINGS_KEY, VapidKeys } from '../server/recovery/channels/push/vapid-keys';
import { SettingsService } from '../server/settings/settings.service';
import { PeerSubscription, PushPeer, startPushPeer } from './peers/push-peer';
import { launchChromium } from './support/browser';
import { createTestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

function content(overrides: Partial<RenderedPush> = {}): RenderedPush {
  return {
    title: 'Your cart misses you',
    body: 'The Linen Shirt (M) is still waiting — complete your order in one click.',
    url: 'https://recover.example/r/click/abc.def',
    icon: 'https://shop.example/icon-192.png',
    clickUrl: 'https://recover.example/r/push-click/ghi.jkl',
    ...overrides,
  };
}

function message(subscription: PushTarget, overrides: Partial<RenderedPush> = {}): OutgoingMessage<'push'> {
  const messageId = randomUUID();
  return { key: `msg:${messageId}`, messageId, channel: 'push', to: { subscription: { endpoint: subscription.endpoint, keys: subscription.keys } }, content: content(overrides) };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the send to fail');
}

describe('push channel (web-push against a local push service)', () => {
  let t: TestApp;
  let peer: PushPeer;
  let sender: ChannelSender<'push'>;
  let vapid: VapidKeys;

  beforeAll(async () => {
    peer = await startPushPeer();
    t = await startTestApp('push', { PUSH_SERVICE_HOSTS: '127.0.0.1' });
    sender = t.app.get<ChannelSender<'push'>>(PUSH_SENDER);
    vapid = t.app.get(VapidKeys);
  });

  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  /** A subscription bound to our VAPID key, as a browser makes it, stored the way ingestion stores it. */
  async function subscribe(): Promise<PeerSubscription & { customerId: string }> {
    const subscription = peer.createSubscription({ applicationServerKey: vapid.publicKey });
    const customerId = randomUUID();
    await t.pool.query('INSERT INTO customers (id, first_seen_at, last_seen_at) VALUES ($1, now(), now())', [customerId]);
    await t.pool.query('INSERT INTO push_subscriptions (endpoint, customer_id, p256dh, auth, subscribed_at) VALUES ($1, $2, $3, $4, now())', [
      subscription.endpoint,
      customerId,
      subscription.keys.p256dh,
      subscription.keys.auth,
    ]);
    return { ...subscription, customerId };
  }

  async function revokedAt(endpoint: string): Promise<Date | null> {
    const { rows } = await t.pool.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM push_subscriptions WHERE endpoint = $1', [endpoint]);
    return rows[0].revoked_at;
  }

  it('is the enabled push sender', () => {
    expect(sender).toBeInstanceOf(PushSender);
    expect([sender.kind, sender.enabled]).toEqual(['push', true]);
  });

  it('delivers a notification the subscriber decrypts to exactly the JSON we sent', async () => {
    const subscription = await subscribe();
    const outgoing = message(subscription);
    const receipt = await sender.send(outgoing);

    const received = await peer.waitFor((m) => m.subscriptionId === subscription.id);
    expect(received.payload).toStrictEqual({ ...outgoing.content, messageId: outgoing.messageId });
    expect(Object.keys(received.payload)).toEqual(['title', 'body', 'url', 'icon', 'clickUrl', 'messageId']);
    expect(receipt).toEqual({ providerMessageId: received.location });
    expect(received.headers).toMatchObject({ ttl: String(PUSH_TTL_SECONDS), urgency: 'normal', 'content-encoding': 'aes128gcm', 'content-type': 'application/octet-stream' });
    // Signed with the deployment's key for the push service's origin; the subject defaults from PUBLIC_URL's host.
    expect(received.vapid).toMatchObject({ aud: peer.url, k: vapid.publicKey, sub: 'mailto:webpush@localhost' });
    expect(await revokedAt(subscription.endpoint)).toBeNull();
  });

  it('leaves out a missing icon, and refuses a payload over 3 KB without calling the push service', async () => {
    const subscription = await subscribe();
    const outgoing = message(subscription, { icon: undefined });
    await sender.send(outgoing);
    const received = await peer.waitFor((m) => m.subscriptionId === subscription.id);
    expect(received.payload).not.toHaveProperty('icon');

    const before = peer.attempts.length;
    const error = await rejection(sender.send(message(subscription, { body: 'x'.repeat(3000) })));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).reason).toBe('payload_too_large');
    expect(peer.attempts.length).toBe(before);
  });

  it.each([410, 404])('%i: the subscription is gone, and its row is revoked (kept for history)', async (status) => {
    const subscription = await subscribe();
    const bystander = await subscribe();
    peer.failNext(subscription.id, status);
    const error = await rejection(sender.send(message(subscription)));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).reason).toBe('subscription_gone');
    expect(await revokedAt(subscription.endpoint)).toBeInstanceOf(Date);
    expect(await revokedAt(bystander.endpoint)).toBeNull();
  });

  it('does not revoke a newer subscription that took over the endpoint with other keys', async () => {
    const subscription = await subscribe();
    const stale = message(subscription); // planned before the browser subscribed again under the same endpoint
    await t.pool.query('UPDATE push_subscriptions SET auth = $2 WHERE endpoint = $1', [subscription.endpoint, Buffer.alloc(16, 1).toString('base64url')]);
    peer.failNext(subscription.id, 410);
    expect(((await rejection(sender.send(stale))) as PermanentSendError).reason).toBe('subscription_gone');
    expect(await revokedAt(subscription.endpoint)).toBeNull();
  });

  it('429 with Retry-After: 7 is transient, retried after 7 s', async () => {
    const subscription = await subscribe();
    peer.failNext(subscription.id, 429, { 'Retry-After': '7' });
    const error = await rejection(sender.send(message(subscription)));
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as TransientSendError).retryAfterMs).toBe(7000);
    expect(await revokedAt(subscription.endpoint)).toBeNull();
  });

  it('5xx (with or without Retry-After as an HTTP date) and an unreachable push service are transient', async () => {
    const subscription = await subscribe();
    peer.failNext(subscription.id, 500);
    const plain = await rejection(sender.send(message(subscription)));
    expect(plain).toBeInstanceOf(TransientSendError);
    expect((plain as TransientSendError).retryAfterMs).toBeUndefined();

    peer.failNext(subscription.id, 503, { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() });
    const dated = (await rejection(sender.send(message(subscription)))) as TransientSendError;
    expect(dated).toBeInstanceOf(TransientSendError);
    expect(dated.retryAfterMs).toBeGreaterThan(55_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(60_000);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await rejection(sender.send(message({ endpoint: `http://127.0.0.1:${port}/push/x`, keys: subscription.keys })));
    expect(unreachable).toBeInstanceOf(TransientSendError);
    expect(unreachable.message).toMatch(/ECONNREFUSED/);
  });

  it('other 4xx are permanent with a reason, and do not revoke the subscription', async () => {
    const subscription = await subscribe();
    for (const [status, reason] of [
      [400, 'push_request_rejected'],
      [413, 'payload_too_large'],
      [401, 'vapid_rejected'],
      [422, 'push_service_422'],
    ] as const) {
      peer.failNext(subscription.id, status);
      const error = await rejection(sender.send(message(subscription)));
      expect([error.name, (error as PermanentSendError).reason]).toEqual(['PermanentSendError', reason]);
    }
    expect(await revokedAt(subscription.endpoint)).toBeNull();
  });

  it('a tampered VAPID private key is refused by the push service (403): permanent', async () => {
    const subscription = await subscribe();
    const otherPrivate = webpush.generateVAPIDKeys().privateKey;
    const tampered = new PushSender(new VapidKeys(vapid.subject, vapid.publicKey, otherPrivate, 'config'), t.pool, ['127.0.0.1']);
    const error = await rejection(tampered.send(message(subscription)));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect((error as PermanentSendError).reason).toBe('vapid_rejected');
    expect(peer.attempts.at(-1)).toMatchObject({ subscriptionId: subscription.id, status: 403, reason: 'bad VAPID signature' });

    // A whole other (valid) key pair: the subscription is restricted to ours, so 403 as well.
    const other = webpush.generateVAPIDKeys();
    const stranger = new PushSender(new VapidKeys(vapid.subject, other.publicKey, other.privateKey, 'config'), t.pool, ['127.0.0.1']);
    expect(((await rejection(stranger.send(message(subscription)))) as PermanentSendError).reason).toBe('vapid_rejected');
    expect(await revokedAt(subscription.endpoint)).toBeNull();
  });

  it('refuses, and revokes, a subscription whose keys cannot be encrypted to', async () => {
    const subscription = await subscribe();
    const offCurve = Buffer.alloc(65, 4).toString('base64url'); // 65 bytes starting with 0x04, but no point of P-256
    await t.pool.query('UPDATE push_subscriptions SET p256dh = $2 WHERE endpoint = $1', [subscription.endpoint, offCurve]);
    const broken = message({ endpoint: subscription.endpoint, keys: { p256dh: offCurve, auth: subscription.keys.auth } });
    const before = peer.attempts.length;
    expect(((await rejection(sender.send(broken))) as PermanentSendError).reason).toBe('invalid_subscription');
    expect(await revokedAt(subscription.endpoint)).toBeInstanceOf(Date);

    const short = message({ endpoint: subscription.endpoint, keys: { p256dh: subscription.keys.p256dh, auth: 'AAAA' } });
    expect(((await rejection(sender.send(short))) as PermanentSendError).reason).toBe('invalid_subscription');
    expect(peer.attempts.length).toBe(before);
  });

  it('serves the VAPID public key, cacheable and readable from any origin', async () => {
    const response = await fetch(`${t.url}/v1/push/vapid-public-key`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ publicKey: vapid.publicKey });
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(Buffer.from(vapid.publicKey, 'base64url')).toHaveLength(65);
  });

  it('serves the service worker and the opt-in helper as JavaScript, with validators', async () => {
    const sw = await fetch(`${t.url}/push-sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(sw.headers.get('service-worker-allowed')).toBe('/');
    expect(await sw.text()).toContain("addEventListener('notificationclick'");
    const again = await fetch(`${t.url}/push-sw.js`, { headers: { 'if-none-match': sw.headers.get('etag')! } });
    expect(again.status).toBe(304);

    const helper = await fetch(`${t.url}/push.js`);
    expect(helper.status).toBe(200);
    expect(helper.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(helper.headers.get('service-worker-allowed')).toBeNull();
    expect(await helper.text()).toContain('checkoutPush');
  });

  it('keeps one key pair per database: another app instance on it signs with the same keys', async () => {
    const { rows } = await t.pool.query<{ value: { publicKey: string; privateKey: string } }>('SELECT value FROM settings WHERE key = $1', [VAPID_SETTINGS_KEY]);
    expect(rows[0].value).toEqual({ publicKey: vapid.publicKey, privateKey: vapid.privateKey });
    expect(vapid.source).toBe('generated');

    const config = loadConfig({ DATABASE_URL: t.database.url, REDIS_PREFIX: t.config.redisPrefix, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', DATABASE_POOL_SIZE: '3' });
    const second = await createApp(config, createLogger('silent'));
    try {
      const keys = second.get(VapidKeys);
      expect([keys.publicKey, keys.privateKey]).toEqual([vapid.publicKey, vapid.privateKey]);
    } finally {
      await second.close();
    }
  });

  it('concurrent first starts on a fresh database agree on one pair; configured keys win and are never stored', async () => {
    const database = await createTestDatabase('push_keys');
    const pools = [createPool(database.url, 2), createPool(database.url, 2)];
    try {
      const config = loadConfig({ DATABASE_URL: database.url, PUBLIC_URL: 'https://recover.shop.example' });
      const [a, b] = await Promise.all(pools.map((pool) => provisionVapidKeys(config, new SettingsService(createDatabase(pool)))));
      expect(a.publicKey).toBe(b.publicKey);
      expect(a.subject).toBe('mailto:webpush@recover.shop.example');

      const own = webpush.generateVAPIDKeys();
      const configured = await provisionVapidKeys(
        loadConfig({ DATABASE_URL: database.url, VAPID_PUBLIC_KEY: own.publicKey, VAPID_PRIVATE_KEY: own.privateKey, VAPID_SUBJECT: 'https://shop.example/contact' }),
        new SettingsService(createDatabase(pools[0])),
      );
      expect([configured.publicKey, configured.subject, configured.source]).toEqual([own.publicKey, 'https://shop.example/contact', 'config']);
      const { rows } = await pools[0].query('SELECT value FROM settings WHERE key = $1', [VAPID_SETTINGS_KEY]);
      expect(rows[0].value.publicKey).toBe(a.publicKey);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await database.drop();
    }
  });
  describe('in Chromium', () => {
    let browser: Browser;
    let context: BrowserContext;
    let shop: Server;
    let shopOrigin = '';
    const files = new Map<string, { type: string; body: string }>();

    beforeAll(async () => {
      browser = await launchChromium();
      shop = createServer((request, response) => {
        const file = files.get(new URL(request.url ?? '/', 'http://shop').pathname);
        if (!file) return void response.writeHead(404).end();
        response.writeHead(200, { 'content-type': file.type }).end(file.body);
      });
      await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
      // 127.0.0.1 is a secure context, as service workers and push require.
      shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await browser?.close();
      shop?.closeAllConnections();
      await new Promise((resolve) => (shop ? shop.close(resolve) : resolve(undefined)));
    });

    afterEach(async () => {
      await context?.close();
    });

    /** Delivers a push to the page's service worker through the DevTools protocol (what the browser does on a push from its push service). */
    async function deliverPush(page: Page, origin: string, data: unknown) {
      const cdp = await context.newCDPSession(page);
      const registrationId = new Promise<string>((resolve) =>
        cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
          const found = registrations.find((r) => r.scopeURL === `${origin}/` && !r.isDeleted);
          if (found) resolve(found.registrationId);
        }),
      );
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: await registrationId, data: JSON.stringify(data) });
    }

    async function notifications(page: Page) {
      return vi.waitFor(
        async () => {
          const shown = await page.evaluate(async () => {
            const registration = await navigator.serviceWorker.ready;
            return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, icon: n.icon, tag: n.tag, data: n.data }));
          });
          expect(shown).not.toHaveLength(0);
          return shown;
        },
        { timeout: 10_000, interval: 100 },
      );
    }

    const pushed = { ...content(), messageId: 'msg-browser-1' };
    const expected = [{ title: pushed.title, body: pushed.body, icon: pushed.icon, tag: 'msg-browser-1', data: { url: pushed.url, clickUrl: pushed.clickUrl, messageId: 'msg-browser-1' } }];

    it('registers /push-sw.js on a page of the app origin, for scope "/", and shows a push as a notification', async () => {
      context = await browser.newContext();
      await context.grantPermissions(['notifications'], { origin: t.url });
      const page = await context.newPage();
      await page.route(`${t.url}/push-test-page`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>push</title>' }));
      await page.goto(`${t.url}/push-test-page`);
      const scope = await page.evaluate(async () => {
        await navigator.serviceWorker.register('/push-sw.js', { scope: '/' });
        return (await navigator.serviceWorker.ready).scope;
      });
      expect(scope).toBe(`${t.url}/`);

      await deliverPush(page, t.url, pushed);
      expect(await notifications(page)).toEqual(expected);
    });

    it('storefront opt-in: push.js subscribes with our VAPID key and the subscription reaches the database through the tracker', async () => {
      const source = await t.createSource({ allowedOrigins: [shopOrigin] });
      // The merchant's own service worker at its root imports ours.
      files.set('/push-sw.js', { type: 'application/javascript', body: `importScripts(${JSON.stringify(`${t.url}/push-sw.js`)});` });
      files.set('/', {
        type: 'text/html; charset=utf-8',
        body: `<!doctype html><title>Shop</title>
<script src="${t.url}/tracker.js" data-write-key="${source.writeKey}" defer></script>
<script src="${t.url}/push.js" defer></script>`,
      });
      // Headless Chromium cannot reach a real push service: stand in for PushManager, recording what it was asked.
      const fake = { endpoint: `https://push.example.test/wpush/${randomUUID()}`, expirationTime: null, keys: peer.createSubscription().keys };
      context = await browser.newContext();
      await context.grantPermissions(['notifications'], { origin: shopOrigin });
      await context.addInitScript((json) => {
        const w = window as any;
        w.__subscribeCalls = [];
        PushManager.prototype.getSubscription = async () => null;
        PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
          w.__subscribeCalls.push({ userVisibleOnly: options?.userVisibleOnly, key: Array.from(new Uint8Array(options?.applicationServerKey as ArrayBuffer)) });
          return { endpoint: json.endpoint, options: { applicationServerKey: options?.applicationServerKey }, toJSON: () => json } as unknown as PushSubscription;
        };
      }, fake);
      const page = await context.newPage();
      const errors: Error[] = [];
      page.on('pageerror', (error) => errors.push(error));
      await page.goto(`${shopOrigin}/`);
      await page.waitForFunction(() => (window as any).checkoutPush?.loaded && (window as any).checkoutTracker?.loaded);

      const result = await page.evaluate(() => (window as any).checkoutPush.subscribe());
      expect(result).toEqual(fake);
      const calls = await page.evaluate(() => (window as any).__subscribeCalls);
      expect(calls).toEqual([{ userVisibleOnly: true, key: [...Buffer.from(vapid.publicKey, 'base64url')] }]);

      const row = await vi.waitFor(
        async () => {
          const { rows } = await t.pool.query('SELECT customer_id, p256dh, auth, revoked_at FROM push_subscriptions WHERE endpoint = $1', [fake.endpoint]);
          expect(rows).toHaveLength(1);
          return rows[0];
        },
        { timeout: 10_000, interval: 100 },
      );
      expect(row).toMatchObject({ p256dh: fake.keys.p256dh, auth: fake.keys.auth, revoked_at: null });

      // The storefront's worker (importing ours) is in place and shows our pushes.
      expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).scope)).toBe(`${shopOrigin}/`);
      await deliverPush(page, shopOrigin, pushed);
      expect(await notifications(page)).toEqual(expected);
      expect(errors).toEqual([]);
    });
  });
});
