import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Twilio's Messages API (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`) and for the
 * webhooks Twilio sends: signed status callbacks after each message, and signed inbound SMS on demand.
 * Signatures are computed here independently of the server's code (HMAC-SHA1 over URL + sorted name/value pairs).
 */

export const IDEMPOTENCY_HEADER = 'i-twilio-idempotency-token';

export type PeerOutcome = 'delivered' | 'undelivered' | 'none';

/** A message the peer accepted. */
export interface TwilioPeerMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  /** `I-Twilio-Idempotency-Token` of the create request, if sent. */
  idempotencyToken: string | null;
  /** queued (or accepted with a Messaging Service), then sent, then delivered or undelivered. */
  status: string;
  errorCode: number | null;
  numSegments: number;
  /** Request headers, lowercased. */
  headers: Record<string, string>;
  /** The form parameters as posted. */
  params: Record<string, string>;
  /** The JSON the peer answered with. */
  response: Record<string, unknown>;
  receivedAt: Date;
}

/** A status callback the peer posted, and what our server answered. */
export interface TwilioPeerCallback {
  messageSid: string;
  messageStatus: string;
  url: string;
  params: Record<string, string>;
  /** HTTP status of the answer, or 0 when the request failed. */
  status: number;
  body: string;
  error?: string;
}

/** Every API request, refused ones included. */
export interface TwilioPeerRequest {
  method: string;
  path: string;
  status: number;
  idempotencyToken: string | null;
  /** Twilio error code of a refusal. */
  code?: number;
}

export interface InboundSms {
  from: string;
  to: string;
  body: string;
  /** The URL Twilio is configured with: what gets signed. */
  webhookUrl: string;
  /** Where the request actually goes, when different (a proxy in between); defaults to `webhookUrl`. */
  postTo?: string;
  /** Reuse to replay one inbound message (Twilio retrying its webhook); fresh by default. */
  messageSid?: string;
  /** Extra form parameters (e.g. OptOutType). */
  params?: Record<string, string>;
  /** Replace the signature (to prove a bad one is refused). */
  signature?: string;
}

export interface InboundResult {
  status: number;
  body: string;
  contentType: string | null;
  messageSid: string;
}

export interface TwilioPeer {
  /** http://127.0.0.1:PORT, to use as TWILIO_API_BASE. */
  url: string;
  accountSid: string;
  authToken: string;
  /** Every accepted message, oldest first (an idempotent replay adds none). */
  messages: TwilioPeerMessage[];
  /** Every status callback posted, oldest first. */
  callbacks: TwilioPeerCallback[];
  requests: TwilioPeerRequest[];
  /** The first accepted message, already here or arriving within `timeoutMs`, that the predicate accepts. */
  waitFor(predicate?: (message: TwilioPeerMessage) => boolean, timeoutMs?: number): Promise<TwilioPeerMessage>;
  /** The first status callback answered (or failed) that the predicate accepts. */
  waitForCallback(predicate?: (callback: TwilioPeerCallback) => boolean, timeoutMs?: number): Promise<TwilioPeerCallback>;
  /**
   * The next create request fails with this HTTP status and Twilio error code (default 20429 for 429, 20500 for 5xx,
   * else 20001); `headers` (such as Retry-After) are sent with it. Calls queue up: one failure per request.
   */
  failNext(status: number, code?: number, headers?: Record<string, string>, message?: string): void;
  /** How messages accepted from now on end: status callbacks `sent` then `delivered`/`undelivered` (or none at all). */
  deliverAs(outcome: PeerOutcome, errorCode?: number): void;
  /** Posts one signed status callback for a message now. */
  sendStatus(sid: string, messageStatus: string, errorCode?: number): Promise<TwilioPeerCallback>;
  /** Posts a signed inbound SMS webhook and returns our server's answer. */
  sendInbound(inbound: InboundSms): Promise<InboundResult>;
  clear(): void;
  close(): Promise<void>;
}

export interface TwilioPeerOptions {
  accountSid: string;
  authToken: string;
  /** Delay before the first status callback and between callbacks. Default 50 ms. */
  callbackDelayMs?: number;
}

/** Twilio's signature: base64 HMAC-SHA1, keyed by the auth token, of the URL then each parameter as name+value, sorted by name. */
export function signTwilioRequest(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

const E164 = /^\+[1-9]\d{6,14}$/;
const MESSAGING_SERVICE = /^MG[0-9a-fA-F]{32}$/;
const API_VERSION = '2010-04-01';
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/** SMS segments as carriers count them: GSM-7 (160, or 153 per part) unless a character needs UCS-2 (70, or 67). */
export function smsSegments(body: string): number {
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = body.length; // UTF-16 code units
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

function twilioError(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

const DEFAULT_ERROR_MESSAGES: Record<number, string> = {
  20003: 'Authenticate',
  20429: 'Too Many Requests',
  21211: "The 'To' number is not a valid phone number.",
  21610: 'Attempt to send to unsubscribed recipient',
  21614: "'To' number is not a valid mobile number",
  20500: 'An internal server error has occurred',
};

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function lowerHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startTwilioPeer(options: TwilioPeerOptions): Promise<TwilioPeer> {
  const { accountSid, authToken } = options;
  const callbackDelayMs = options.callbackDelayMs ?? 50;
  const messages: TwilioPeerMessage[] = [];
  const callbacks: TwilioPeerCallback[] = [];
  const requests: TwilioPeerRequest[] = [];
  const failures: Array<{ status: number; code: number; headers: Record<string, string>; message?: string }> = [];
  const replays = new Map<string, { status: number; json: Record<string, unknown> }>();
  const pending = new Set<Promise<unknown>>();
  let outcome: { outcome: PeerOutcome; errorCode?: number } = { outcome: 'delivered' };
  let closed = false;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((wake) => wake());

  const send = (response: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(JSON.stringify(json));
  };

  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => undefined);
    return work;
  };

  async function postCallback(message: TwilioPeerMessage, messageStatus: string, errorCode?: number): Promise<TwilioPeerCallback> {
    const url = message.statusCallback!;
    const params: Record<string, string> = {
      AccountSid: message.accountSid,
      ApiVersion: API_VERSION,
      From: message.from ?? '',
      MessageSid: message.sid,
      MessageStatus: messageStatus,
      SmsSid: message.sid,
      SmsStatus: messageStatus,
      To: message.to,
    };
    if (message.messagingServiceSid) params.MessagingServiceSid = message.messagingServiceSid;
    if (errorCode !== undefined) params.ErrorCode = String(errorCode);
    message.status = messageStatus;
    if (errorCode !== undefined) message.errorCode = errorCode;
    const callback: TwilioPeerCallback = { messageSid: message.sid, messageStatus, url, params, status: 0, body: '' };
    try {
      const answer = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'x-twilio-signature': signTwilioRequest(authToken, url, params),
          [IDEMPOTENCY_HEADER]: `${message.sid}-${messageStatus}`,
          'user-agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
      });
      callback.status = answer.status;
      callback.body = await answer.text();
    } catch (error) {
      callback.error = (error as Error).message;
    }
    callbacks.push(callback);
    notify();
    return callback;
  }

  async function runCallbacks(message: TwilioPeerMessage, plan: { outcome: PeerOutcome; errorCode?: number }) {
    if (!message.statusCallback || plan.outcome === 'none') return;
    await new Promise((r) => setTimeout(r, callbackDelayMs));
    if (closed) return;
    await postCallback(message, 'sent');
    await new Promise((r) => setTimeout(r, callbackDelayMs));
    if (closed) return;
    if (plan.outcome === 'delivered') await postCallback(message, 'delivered');
    else await postCallback(message, 'undelivered', plan.errorCode ?? 30003);
  }

  async function handleCreate(request: IncomingMessage, response: ServerResponse, pathSid: string) {
    const headers = lowerHeaders(request);
    const token = headers[IDEMPOTENCY_HEADER] ?? null;
    const path = request.url ?? '';
    const refuse = (status: number, code: number, message: string, extra: Record<string, string> = {}) => {
      requests.push({ method: 'POST', path, status, idempotencyToken: token, code });
      send(response, status, twilioError(status, code, message), extra);
    };

    const auth = headers.authorization ?? '';
    const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : '';
    const pass = colon >= 0 ? decoded.slice(colon + 1) : '';
    if (!safeEqual(user, accountSid) || !safeEqual(pass, authToken)) return refuse(401, 20003, DEFAULT_ERROR_MESSAGES[20003]);
    if (pathSid !== accountSid) return refuse(404, 20404, `The requested resource ${path} was not found`);

    const raw = (await readBody(request)).toString('utf8');
    const params = Object.fromEntries(new URLSearchParams(raw));

    const failure = failures.shift();
    if (failure) return refuse(failure.status, failure.code, failure.message ?? DEFAULT_ERROR_MESSAGES[failure.code] ?? `Error ${failure.code}`, failure.headers);

    if (token && replays.has(token)) {
      const replay = replays.get(token)!;
      requests.push({ method: 'POST', path, status: replay.status, idempotencyToken: token });
      return send(response, replay.status, replay.json);
    }

    const to = params.To ?? '';
    if (to === '') return refuse(400, 21604, "A 'To' phone number is required.");
    if (!E164.test(to)) return refuse(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const from = params.From ?? null;
    const messagingServiceSid = params.MessagingServiceSid ?? null;
    if (!from && !messagingServiceSid) return refuse(400, 21603, "A 'From' phone number is required.");
    if (from && !E164.test(from)) return refuse(400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
    if (messagingServiceSid && !MESSAGING_SERVICE.test(messagingServiceSid)) return refuse(400, 21701, `The Messaging Service Sid ${messagingServiceSid} is invalid.`);
    const body = params.Body ?? '';
    if (body === '') return refuse(400, 21602, 'Message body is required.');
    if (body.length > 1600) return refuse(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');

    const now = new Date();
    const messageSid = sid('SM');
    const status = messagingServiceSid && !from ? 'accepted' : 'queued';
    const numSegments = smsSegments(body);
    const uri = `/${API_VERSION}/Accounts/${accountSid}/Messages/${messageSid}.json`;
    const json: Record<string, unknown> = {
      account_sid: accountSid,
      api_version: API_VERSION,
      body,
      date_created: rfc2822(now),
      date_sent: null,
      date_updated: rfc2822(now),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: messagingServiceSid,
      num_media: '0',
      num_segments: String(numSegments),
      price: null,
      price_unit: 'USD',
      sid: messageSid,
      status,
      subresource_uris: { media: uri.replace('.json', '/Media.json') },
      to,
      uri,
    };
    const message: TwilioPeerMessage = {
      sid: messageSid,
      accountSid,
      to,
      from,
      messagingServiceSid,
      body,
      statusCallback: params.StatusCallback ?? null,
      idempotencyToken: token,
      status,
      errorCode: null,
      numSegments,
      headers,
      params,
      response: json,
      receivedAt: now,
    };
    messages.push(message);
    if (token) replays.set(token, { status: 201, json });
    requests.push({ method: 'POST', path, status: 201, idempotencyToken: token });
    send(response, 201, json);
    notify();
    void track(runCallbacks(message, outcome));
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    const match = MESSAGES_PATH.exec(path);
    if (request.method === 'POST' && match) {
      handleCreate(request, response, decodeURIComponent(match[1])).catch((error) => send(response, 500, twilioError(500, 20500, (error as Error).message)));
      return;
    }
    requests.push({ method: request.method ?? '', path, status: 404, idempotencyToken: null, code: 20404 });
    send(response, 404, twilioError(404, 20404, `The requested resource ${path} was not found`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  function waitUntil<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const wake = () => {
        const value = find();
        if (value === undefined) return;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`twilio peer: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(wake);
    });
  }

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    callbacks,
    requests,
    waitFor(predicate = () => true, timeoutMs = 5000) {
      return waitUntil(() => messages.find(predicate), timeoutMs, 'matching message');
    },
    waitForCallback(predicate = () => true, timeoutMs = 5000) {
      return waitUntil(() => callbacks.find(predicate), timeoutMs, 'matching status callback');
    },
    failNext(status, code, headers = {}, message) {
      failures.push({ status, code: code ?? (status === 429 ? 20429 : status >= 500 ? 20500 : 20001), headers, message });
    },
    deliverAs(next, errorCode) {
      outcome = { outcome: next, errorCode };
    },
    sendStatus(messageSid, messageStatus, errorCode) {
      const message = messages.find((m) => m.sid === messageSid);
      if (!message) throw new Error(`twilio peer: no message ${messageSid}`);
      return track(postCallback(message, messageStatus, errorCode));
    },
    async sendInbound(inbound) {
      const messageSid = inbound.messageSid ?? sid('SM');
      const params: Record<string, string> = {
        ToCountry: 'US',
        SmsMessageSid: messageSid,
        NumMedia: '0',
        SmsSid: messageSid,
        SmsStatus: 'received',
        Body: inbound.body,
        To: inbound.to,
        NumSegments: String(smsSegments(inbound.body)),
        MessageSid: messageSid,
        AccountSid: accountSid,
        From: inbound.from,
        ApiVersion: API_VERSION,
        ...inbound.params,
      };
      const answer = await fetch(inbound.postTo ?? inbound.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'x-twilio-signature': inbound.signature ?? signTwilioRequest(authToken, inbound.webhookUrl, params),
          [IDEMPOTENCY_HEADER]: `${messageSid}-inbound`,
          'user-agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
      });
      return { status: answer.status, body: await answer.text(), contentType: answer.headers.get('content-type'), messageSid };
    },
    clear() {
      messages.length = 0;
      callbacks.length = 0;
      requests.length = 0;
      failures.length = 0;
      replays.clear();
      outcome = { outcome: 'delivered' };
    },
    async close() {
      closed = true;
      await Promise.allSettled([...pending]);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
  };
}
