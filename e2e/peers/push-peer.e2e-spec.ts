import { createPrivateKey, sign } from 'node:crypto';
import * as webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptPushMessage, PeerSubscription, PushPeer, startPushPeer, verifyVapidAuthorization } from './push-peer';

// RFC 8291 Appendix A: a worked example with every input fixed.
const RFC8291 = {
  plaintext: 'When I grow up, I want to be a watermelon',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  body: 'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};

const b = (s: string) => Buffer.from(s, 'base64url');

/** A hand-made VAPID header, to exercise claims web-push refuses to produce. */
function vapidHeader(keys: { publicKey: string; privateKey: string }, claims: Record<string, unknown>): string {
  const pub = b(keys.publicKey);
  const key = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: keys.privateKey, x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  const input = `${Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `vapid t=${input}.${signature}, k=${keys.publicKey}`;
}

describe('push peer (a local Web Push service)', () => {
  let peer: PushPeer;
  const keys = webpush.generateVAPIDKeys();
  const vapidDetails = { subject: 'mailto:ops@shop.example', ...keys };

  beforeAll(async () => {
    peer = await startPushPeer();
  });

  afterAll(async () => {
    await peer?.close();
  });

  /** Sends like an application server: web-push builds the request, fetch carries it. */
  async function push(subscription: PeerSubscription, payload: string, override: Record<string, string | null> = {}, body?: Buffer) {
    const request = webpush.generateRequestDetails(subscription, payload, { vapidDetails, TTL: 60 });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (name !== 'Content-Length') headers[name] = String(value);
    for (const [name, value] of Object.entries(override)) {
      if (value === null) delete headers[name];
      else headers[name] = value;
    }
    const response = await fetch(request.endpoint, { method: 'POST', headers, body: new Uint8Array(body ?? request.body!) });
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  it('decrypts the RFC 8291 Appendix A example', () => {
    expect(decryptPushMessage(b(RFC8291.body), b(RFC8291.uaPrivate), b(RFC8291.uaPublic), b(RFC8291.auth)).toString()).toBe(RFC8291.plaintext);
  });

  it('refuses a tampered message and a wrong auth secret', () => {
    const body = b(RFC8291.body);
    body[body.length - 20] ^= 1;
    expect(() => decryptPushMessage(body, b(RFC8291.uaPrivate), b(RFC8291.uaPublic), b(RFC8291.auth))).toThrow();
    const wrongAuth = Buffer.alloc(16, 7);
    expect(() => decryptPushMessage(b(RFC8291.body), b(RFC8291.uaPrivate), b(RFC8291.uaPublic), wrongAuth)).toThrow();
  });

  it('accepts a message web-push encrypted for the subscription, answering 201 with a Location', async () => {
    const subscription = peer.createSubscription({ applicationServerKey: keys.publicKey });
    expect(subscription.endpoint).toBe(`${peer.url}/push/${subscription.id}`);
    expect(b(subscription.keys.p256dh)).toHaveLength(65);
    expect(b(subscription.keys.auth)).toHaveLength(16);

    const response = await push(subscription, JSON.stringify({ hello: 'ünïcode ✓' }));
    expect(response.status).toBe(201);
    const message = await peer.waitFor((m) => m.subscriptionId === subscription.id);
    expect(message.payload).toEqual({ hello: 'ünïcode ✓' });
    expect(response.headers.get('location')).toBe(message.location);
    expect(message.headers.ttl).toBe('60');
    expect(message.vapid).toMatchObject({ aud: peer.url, sub: 'mailto:ops@shop.example', k: keys.publicKey });
  });

  it('answers 401 without VAPID and 403 for a bad signature, a key the subscription is not restricted to, or bad claims', async () => {
    const subscription = peer.createSubscription({ applicationServerKey: keys.publicKey });
    expect((await push(subscription, 'x', { Authorization: null })).status).toBe(401);

    const header = webpush.getVapidHeaders(peer.url, vapidDetails.subject, keys.publicKey, keys.privateKey, 'aes128gcm').Authorization;
    const tampered = header.replace(/t=([^.]+\.[^.]+\.)(.)/, (_, head: string, first: string) => `t=${head}${first === 'A' ? 'B' : 'A'}`);
    expect((await push(subscription, 'x', { Authorization: tampered })).text).toMatch(/signature/);

    const other = webpush.generateVAPIDKeys();
    const mismatch = await push(subscription, 'x', { Authorization: webpush.getVapidHeaders(peer.url, 'mailto:a@b.c', other.publicKey, other.privateKey, 'aes128gcm').Authorization });
    expect(mismatch.status).toBe(403);
    expect(mismatch.text).toMatch(/restricted/);

    const now = Math.floor(Date.now() / 1000);
    const good = { aud: peer.url, exp: now + 3600, sub: 'mailto:ops@shop.example' };
    expect((await push(subscription, 'x', { Authorization: vapidHeader(keys, good) })).status).toBe(201);
    for (const [claims, why] of [
      [{ ...good, aud: 'https://fcm.googleapis.com' }, /aud/],
      [{ ...good, exp: now - 10 }, /expired/],
      [{ ...good, exp: now + 25 * 3600 }, /24 hours/],
      [{ aud: good.aud, exp: good.exp }, /sub/],
    ] as const) {
      const response = await push(subscription, 'x', { Authorization: vapidHeader(keys, claims) });
      expect([response.status, response.text]).toEqual([403, expect.stringMatching(why)]);
    }
  });

  it('checks the VAPID header on its own as well', () => {
    const header = webpush.getVapidHeaders('https://push.example', 'https://shop.example/contact', keys.publicKey, keys.privateKey, 'aes128gcm').Authorization;
    expect(verifyVapidAuthorization(header, 'https://push.example').sub).toBe('https://shop.example/contact');
    expect(() => verifyVapidAuthorization(header, 'https://push.example', undefined, Date.now() + 13 * 3600 * 1000)).toThrow(/expired/);
  });

  it('requires TTL and aes128gcm, limits the body to 4096 bytes, and answers 404 for unknown subscriptions', async () => {
    const subscription = peer.createSubscription();
    expect((await push(subscription, 'x', { TTL: null })).status).toBe(400);
    expect((await push(subscription, 'x', { 'Content-Encoding': 'aesgcm' })).status).toBe(415);
    expect((await push(subscription, 'x', {}, Buffer.alloc(4097))).status).toBe(413);
    expect((await push(subscription, 'x', {}, Buffer.alloc(200))).text).toMatch(/decrypt/);
    expect((await push({ ...subscription, endpoint: `${peer.url}/push/nope` }, 'x')).status).toBe(404);
  });

  it('answers injected failures in order, for one subscription or any, then delivers again', async () => {
    const one = peer.createSubscription();
    const two = peer.createSubscription();
    peer.failNext(one.id, 410);
    peer.failNext('any', 429, { 'Retry-After': '7' });
    expect((await push(two, 'a')).status).toBe(429);
    const gone = await push(one, 'b');
    expect(gone.status).toBe(410);
    const limited = await push(one, 'c');
    expect(limited.status).toBe(201); // the 'any' failure went to `two`
    const again = await push(two, 'd');
    expect(again.status).toBe(201);
    expect(peer.received.filter((m) => [one.id, two.id].includes(m.subscriptionId)).map((m) => m.payload)).toEqual(['c', 'd']);

    peer.failNext(one.id, 429, { 'Retry-After': '7' });
    const throttled = await push(one, 'e');
    expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '7']);
    expect(peer.attempts.filter((a) => a.subscriptionId === one.id).map((a) => a.status)).toEqual([410, 201, 429]);
  });
});
