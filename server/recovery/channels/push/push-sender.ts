import { Inject, Injectable, Logger } from '@nestjs/common';
import { Pool } from 'pg';
import * as webpush from 'web-push';
import { PG_POOL } from '../../../database/database';
import { ChannelSender, OutgoingMessage, PermanentSendError, PushTarget, SendReceipt, TransientSendError } from '../channel';
import { VapidKeys } from './vapid-keys';

export const PUSH_SERVICE_HOSTS = Symbol('PUSH_SERVICE_HOSTS');
export const PUSH_SENDER = Symbol('PUSH_SENDER');

/** What the service worker receives (JSON, encrypted for the subscriber). */
export interface PushPayload {
  title: string;
  body: string;
  /** Opened when the notification is clicked. */
  url: string;
  icon?: string;
  /** POSTed to by the service worker when the notification is clicked. */
  clickUrl: string;
  messageId: string;
}

/** Push services must accept 4096 bytes of encrypted record (RFC 8030 §7.2); 3 KB of JSON leaves room for the encryption overhead. */
export const MAX_PUSH_PAYLOAD_BYTES = 3 * 1024;
/** How long the push service keeps a message for an offline browser: a reminder a day late is still worth showing, later it is noise. */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;
/** The whole request, connection included. */
export const PUSH_TIMEOUT_MS = 10_000;

/**
 * Delivers Web Push notifications (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291).
 *
 * web-push builds the request (encryption, VAPID JWT, headers); we send it with fetch, because web-push's own
 * `sendNotification` always speaks HTTPS through `https.request` and so could not be exercised against a local
 * plain-HTTP push service, and fetch gives a timeout on the whole request.
 *
 * Outcomes: 2xx → receipt (the `Location` header, the push service's message URL, is the provider id);
 * 404/410 → the subscription is gone: it is marked revoked (`revoked_at`, the row stays for history, and a
 * later `push_subscribed` for the same endpoint clears it) and PermanentSendError('subscription_gone');
 * 429 and 5xx, network errors and timeouts → TransientSendError (with Retry-After when given);
 * other 4xx → PermanentSendError (`vapid_rejected` for 401/403, `payload_too_large` for 413, `push_service_<status>` else).
 */
@Injectable()
export class PushSender implements ChannelSender<'push'> {
  readonly kind = 'push' as const;
  /** VAPID keys are provisioned before the app starts, so push is always available. */
  readonly enabled = true;
  private readonly logger = new Logger('PushSender');

  constructor(
    private readonly vapid: VapidKeys,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(PUSH_SERVICE_HOSTS) private readonly allowedHosts: readonly string[],
  ) {}

  async send(message: OutgoingMessage<'push'>): Promise<SendReceipt> {
    const subscription = message.to.subscription;
    const payload = pushPayload(message);
    const bytes = Buffer.byteLength(payload);
    if (bytes > MAX_PUSH_PAYLOAD_BYTES) {
      throw new PermanentSendError(`push payload is ${bytes} bytes, over the ${MAX_PUSH_PAYLOAD_BYTES}-byte limit`, 'payload_too_large');
    }
    if (!isAllowedPushService(subscription.endpoint, this.allowedHosts)) {
      await this.revoke(subscription);
      throw new PermanentSendError(`push service ${originOf(subscription.endpoint)} is not in PUSH_SERVICE_HOSTS`, 'push_service_not_allowed');
    }
    const problem = subscriptionProblem(subscription);
    if (problem) {
      await this.revoke(subscription);
      throw new PermanentSendError(`unusable push subscription: ${problem}`, 'invalid_subscription');
    }

    let request: webpush.RequestDetails;
    try {
      request = webpush.generateRequestDetails(subscription, payload, {
        vapidDetails: this.vapid.details,
        TTL: PUSH_TTL_SECONDS,
        urgency: 'normal',
      });
    } catch (error) {
      // The VAPID details were checked at start-up, so what is left is the subscriber's key (e.g. not a point on the curve).
      await this.revoke(subscription);
      throw new PermanentSendError(`cannot encrypt for this push subscription: ${(error as Error).message}`, 'invalid_subscription');
    }

    let response: Response;
    try {
      response = await fetch(request.endpoint, {
        method: 'POST',
        headers: requestHeaders(request.headers),
        body: request.body ? new Uint8Array(request.body) : null,
        redirect: 'manual',
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${PUSH_TIMEOUT_MS} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new TransientSendError(`push service unreachable: ${why}`);
    }
    const text = await response.text().catch(() => '');
    const status = response.status;
    if (status >= 200 && status < 300) {
      const location = response.headers.get('location');
      return location ? { providerMessageId: location } : {};
    }
    const detail = `push service answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (status === 404 || status === 410) {
      await this.revoke(subscription);
      throw new PermanentSendError(detail, 'subscription_gone');
    }
    if (status === 429 || status === 408 || status >= 500) {
      throw new TransientSendError(detail, parseRetryAfter(response.headers.get('retry-after')));
    }
    throw new PermanentSendError(detail, permanentReason(status));
  }

  /**
   * Marks the subscription revoked, keeping the row. Only the row with these keys: if the browser subscribed
   * again meanwhile under the same endpoint (new keys), that newer subscription stays live. A failure here
   * is logged, not thrown: the send's outcome stays what the push service said (the next attempt revokes).
   */
  private async revoke(subscription: PushTarget): Promise<void> {
    try {
      await this.pool.query(
        `UPDATE push_subscriptions SET revoked_at = now()
          WHERE endpoint = $1 AND p256dh = $2 AND auth = $3 AND revoked_at IS NULL`,
        [subscription.endpoint, subscription.keys?.p256dh, subscription.keys?.auth],
      );
    } catch (error) {
      // Endpoints are capability URLs: log where, not which.
      this.logger.warn(`could not revoke a push subscription at ${originOf(subscription.endpoint)}: ${(error as Error).message}`);
    }
  }
}

/** Whether the endpoint's host is listed (`.example.com` also covers its subdomains). */
export function isAllowedPushService(endpoint: string, allowed: readonly string[]): boolean {
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return false;
  }
  return allowed.some((entry) => (entry.startsWith('.') ? host.endsWith(entry) || host === entry.slice(1) : host === entry));
}

function originOf(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return 'an unparseable endpoint';
  }
}

/** The JSON the service worker reads; `icon` only when there is one. */
export function pushPayload(message: OutgoingMessage<'push'>): string {
  const { title, body, url, icon, clickUrl } = message.content;
  const payload: PushPayload = { title, body, url, ...(icon ? { icon } : {}), clickUrl, messageId: message.messageId };
  return JSON.stringify(payload);
}

function subscriptionProblem(s: PushTarget | undefined): string | undefined {
  if (!s || typeof s.endpoint !== 'string') return 'no endpoint';
  try {
    const protocol = new URL(s.endpoint).protocol;
    if (protocol !== 'https:' && protocol !== 'http:') return 'the endpoint is not an http(s) URL';
  } catch {
    return 'the endpoint is not a URL';
  }
  if (!s.keys || typeof s.keys.p256dh !== 'string' || typeof s.keys.auth !== 'string') return 'keys.p256dh and keys.auth are required';
  const p256dh = Buffer.from(s.keys.p256dh, 'base64url');
  if (p256dh.length !== 65 || p256dh[0] !== 0x04) return 'keys.p256dh is not an uncompressed P-256 public key';
  if (Buffer.from(s.keys.auth, 'base64url').length < 16) return 'keys.auth is shorter than 16 bytes';
  return undefined;
}

/** web-push's headers as fetch takes them; fetch computes Content-Length itself. */
function requestHeaders(headers: webpush.Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-length' || value === undefined || value === null) continue;
    out[name] = String(value);
  }
  return out;
}

function permanentReason(status: number): string {
  if (status === 401 || status === 403) return 'vapid_rejected';
  if (status === 413) return 'payload_too_large';
  if (status === 400) return 'push_request_rejected';
  return `push_service_${status}`;
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/^[A-Za-z]{3}/.test(v)) return undefined; // every HTTP date form starts with the day's name
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
