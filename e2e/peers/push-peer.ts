import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, randomUUID, verify } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Web Push service (RFC 8030) for tests, standing in for FCM / Mozilla autopush / Apple.
 *
 * It issues subscriptions the way a browser's push service does (P-256 key pair + 16-byte auth secret, the
 * private half kept here), checks each push message's VAPID authorization (RFC 8292) like a real service,
 * and decrypts its aes128gcm payload (RFC 8291 + RFC 8188) like the browser would: a message is stored only
 * if it was correctly encrypted for its subscriber.
 */

export interface PeerSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  subscriptionId: string;
  /** The decrypted payload, parsed as JSON (the text when it is not JSON). */
  payload: any;
  /** The decrypted bytes as UTF-8. */
  plaintext: string;
  headers: IncomingHttpHeaders;
  /** The VAPID JWT's claims. */
  vapid: VapidClaims;
  receivedAt: Date;
  /** The Location we answered with. */
  location: string;
}

/** Every request, accepted or not, with the status we answered and why. */
export interface PushAttempt {
  subscriptionId: string;
  status: number;
  reason?: string;
  at: Date;
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
  /** The application server's public key (the `k` parameter), base64url. */
  k: string;
}

export interface PushPeer {
  url: string;
  /**
   * A new subscription. `applicationServerKey` restricts it to that VAPID public key (RFC 8292 §4.2), as
   * browsers do with `pushManager.subscribe({ applicationServerKey })`: a message signed with any other key gets 403.
   */
  createSubscription(options?: { applicationServerKey?: string }): PeerSubscription;
  received: ReceivedPush[];
  attempts: PushAttempt[];
  /** The first received message matching `pred` (already there or arriving within `timeoutMs`). */
  waitFor(pred: (message: ReceivedPush) => boolean, timeoutMs?: number): Promise<ReceivedPush>;
  /** The next well-formed request to that subscription (or to any, with 'any') gets this answer instead of delivery; calls queue up. */
  failNext(subscriptionId: string | 'any', status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

/** Push services must take at least 4096 bytes of body (RFC 8030 §7.2); we take exactly that. */
export const MAX_PUSH_BODY_BYTES = 4096;

interface Stored {
  ecdh: ReturnType<typeof createECDH>;
  publicKey: Buffer;
  auth: Buffer;
  applicationServerKey?: string;
}

class Rejection extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startPushPeer(): Promise<PushPeer> {
  const subscriptions = new Map<string, Stored>();
  const received: ReceivedPush[] = [];
  const attempts: PushAttempt[] = [];
  const failures: { target: string; status: number; headers: Record<string, string> }[] = [];
  const waiters = new Set<() => void>();
  let url = '';

  const server = createServer((request, response) => {
    void handle(request, response).catch((error) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const path = new URL(request.url ?? '/', 'http://peer').pathname;
    const match = /^\/push\/([A-Za-z0-9_-]+)$/.exec(path);
    if (!match) return void response.writeHead(404).end('no such resource');
    if (request.method !== 'POST') return void response.writeHead(405, { allow: 'POST' }).end();
    const id = match[1];
    const body = await readBody(request, MAX_PUSH_BODY_BYTES);
    const answer = (status: number, reason?: string, headers: Record<string, string> = {}) => {
      attempts.push({ subscriptionId: id, status, reason, at: new Date() });
      response.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(reason ?? '');
    };
    const subscription = subscriptions.get(id);
    if (!subscription) return answer(404, 'no such subscription');
    if (body === null) return answer(413, `payload over ${MAX_PUSH_BODY_BYTES} bytes`);
    try {
      const vapid = verifyVapidAuthorization(request.headers.authorization, url, subscription.applicationServerKey);
      const ttl = request.headers.ttl;
      if (ttl === undefined || !/^\d+$/.test(String(ttl))) throw new Rejection(400, 'TTL header missing or not a number');
      if (request.headers['content-encoding'] !== 'aes128gcm') throw new Rejection(415, 'Content-Encoding must be aes128gcm');
      let plaintext: Buffer;
      try {
        plaintext = decryptPushMessage(body, subscription.ecdh.getPrivateKey(), subscription.publicKey, subscription.auth);
      } catch (error) {
        throw new Rejection(400, `cannot decrypt: ${(error as Error).message}`);
      }
      const failure = takeFailure(id);
      if (failure) return answer(failure.status, `injected ${failure.status}`, failure.headers);
      const text = plaintext.toString('utf8');
      let payload: unknown = text;
      try {
        payload = JSON.parse(text);
      } catch {
        // keep the text
      }
      const location = `${url}/message/${randomUUID()}`;
      received.push({ subscriptionId: id, payload, plaintext: text, headers: request.headers, vapid, receivedAt: new Date(), location });
      for (const wake of [...waiters]) wake();
      answer(201, undefined, { location });
    } catch (error) {
      if (error instanceof Rejection) return answer(error.status, error.message);
      throw error;
    }
  }

  function takeFailure(id: string) {
    const index = failures.findIndex((f) => f.target === id || f.target === 'any');
    return index < 0 ? undefined : failures.splice(index, 1)[0];
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    received,
    attempts,
    createSubscription(options = {}) {
      const ecdh = createECDH('prime256v1');
      const publicKey = ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = randomBytes(12).toString('base64url');
      subscriptions.set(id, { ecdh, publicKey, auth, applicationServerKey: options.applicationServerKey });
      return { id, endpoint: `${url}/push/${id}`, keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') } };
    },
    waitFor(pred, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(pred);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching push message within ${timeoutMs} ms (received ${received.length}; attempts ${JSON.stringify(attempts)})`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    failNext(target, status, headers = {}) {
      failures.push({ target, status, headers });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The body, or null once it exceeds `max` bytes (the rest is drained). */
function readBody(request: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    request.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= max) parts.push(part);
    });
    request.on('end', () => resolve(size > max ? null : Buffer.concat(parts)));
    request.on('error', reject);
  });
}

/**
 * Checks `Authorization: vapid t=<JWT>, k=<public key>` (RFC 8292 §3) for a push service at `origin`:
 * ES256 signature by `k`, `aud` = origin, `exp` in the future and at most 24 h ahead, `sub` present
 * (mailto: or https:). Throws a 401 rejection when the header is absent or unreadable, 403 when it is
 * invalid, including a `k` other than the subscription's `restrictedTo` key (§4.2).
 */
export function verifyVapidAuthorization(header: string | undefined, origin: string, restrictedTo?: string, now = Date.now()): VapidClaims {
  if (!header) throw new Rejection(401, 'VAPID authorization required');
  const scheme = /^vapid\s+(.*)$/i.exec(header.trim());
  if (!scheme) throw new Rejection(401, 'authorization scheme must be vapid');
  const params = new Map<string, string>();
  for (const part of scheme[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const token = params.get('t');
  const k = params.get('k');
  if (!token || !k) throw new Rejection(401, 'vapid authorization needs t= and k=');
  const key = Buffer.from(k, 'base64url');
  if (key.length !== 65 || key[0] !== 0x04) throw new Rejection(400, 'k must be an uncompressed P-256 public key');
  if (restrictedTo !== undefined && k !== restrictedTo) throw new Rejection(403, 'the VAPID key is not the one this subscription is restricted to');

  const parts = token.split('.');
  if (parts.length !== 3) throw new Rejection(403, 'the VAPID token is not a JWS compact serialization');
  let header_: { alg?: string; typ?: string };
  let claims: Partial<VapidClaims>;
  try {
    header_ = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new Rejection(403, 'the VAPID token is not JSON');
  }
  if (header_.alg !== 'ES256') throw new Rejection(403, 'the VAPID token must be signed with ES256');
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: key.subarray(1, 33).toString('base64url'), y: key.subarray(33, 65).toString('base64url') },
    format: 'jwk',
  });
  const signature = Buffer.from(parts[2], 'base64url');
  const valid =
    signature.length === 64 && verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  if (!valid) throw new Rejection(403, 'bad VAPID signature');
  if (claims.aud !== origin) throw new Rejection(403, `aud must be ${origin}, got ${String(claims.aud)}`);
  const seconds = now / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= seconds) throw new Rejection(403, 'the VAPID token has expired (or has no exp)');
  if (claims.exp > seconds + 24 * 60 * 60) throw new Rejection(403, 'exp is more than 24 hours ahead');
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) throw new Rejection(403, 'sub must be a mailto: or https: URI');
  return { aud: claims.aud, exp: claims.exp, sub: claims.sub, k };
}

/**
 * Decrypts a Web Push message body as the user agent does: the aes128gcm header (RFC 8188 §2.1: salt,
 * record size, key id = the application server's ephemeral public key), the RFC 8291 §3.4 key derivation
 * from ECDH and the auth secret, then RFC 8188's content-encryption key and nonce. Web Push messages are one
 * record (RFC 8291 §4), ending in the 0x02 delimiter and optional zero padding.
 */
export function decryptPushMessage(body: Buffer, uaPrivateKey: Buffer, uaPublicKey: Buffer, authSecret: Buffer): Buffer {
  if (body.length < 21) throw new Error('shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20];
  if (idlen !== 65) throw new Error(`the key id must be the 65-byte sender public key, got ${idlen} bytes`);
  const asPublicKey = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  if (rs < 18) throw new Error(`record size ${rs} is below the minimum of 18`);
  if (record.length > rs) throw new Error(`a push message is a single record, but ${record.length} bytes exceed the record size ${rs}`);
  if (record.length < 17) throw new Error('the record is shorter than its tag');

  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(uaPrivateKey);
  const ecdhSecret = ecdh.computeSecret(asPublicKey);
  // RFC 8291 §3.4: IKM = HKDF(salt = auth secret, ikm = ECDH secret, info = "WebPush: info" || 0x00 || ua_public || as_public, L = 32)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublicKey, asPublicKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, keyInfo, 32));
  // RFC 8188 §2.2 / §2.3, with the salt from the header.
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12)); // record 0: no XOR needed

  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 0x02) throw new Error('the last record must end with the 0x02 delimiter');
  return padded.subarray(0, end);
}
