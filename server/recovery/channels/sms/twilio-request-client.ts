import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

export const TWILIO_DEFAULT_API_BASE = 'https://api.twilio.com';

/**
 * Sent with every message create, carrying our message key. Twilio documents this header on the webhooks it sends
 * (the same value on each retry of one webhook); it does not document the Messages API honouring it on requests.
 * We send it anyway: it costs nothing if ignored, and it lets a Twilio-compatible gateway (and our test peer)
 * collapse a retried create. The real protection against a duplicate SMS is the engine's: a message whose send
 * outcome is unknown is reported, never blindly resent.
 */
export const IDEMPOTENCY_HEADER = 'I-Twilio-Idempotency-Token';

/** What one `messages.create` call needs from the HTTP layer: the key to send, and the raw response to read. */
export interface TwilioCall {
  idempotencyKey?: string;
  /** The last HTTP response of the call (headers included: `RestException` keeps no headers, so no `Retry-After`). */
  response?: Response<unknown>;
}

const calls = new AsyncLocalStorage<TwilioCall>();

/** Runs `work` (one SDK call) with its own idempotency key and response slot, safe under concurrent sends. */
export function withTwilioCall<T>(call: TwilioCall, work: () => Promise<T>): Promise<T> {
  return calls.run(call, work);
}

/**
 * The SDK's own HTTP client, with two additions:
 * - requests for the default API host go to `apiBase` instead (tests point it at a local peer; an HTTP proxy or a
 *   regional gateway works the same). With the default base nothing is rewritten, so `TWILIO_EDGE`/`TWILIO_REGION`
 *   keep working. Rewriting here, after the SDK has built the final URL, is independent of how the SDK composes
 *   hostnames (edge/region), unlike setting `client.api.baseUrl`.
 * - the idempotency header and the captured response of the current `withTwilioCall`.
 */
export class RoutedRequestClient extends twilio.RequestClient {
  private readonly base?: URL;

  constructor(apiBase: string, options: RequestClient.RequestClientOptions = {}) {
    super(options);
    const normalized = apiBase.replace(/\/+$/, '');
    if (normalized !== TWILIO_DEFAULT_API_BASE) this.base = new URL(normalized);
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const call = calls.getStore();
    const headers = { ...opts.headers };
    if (call?.idempotencyKey && opts.method === 'post') headers[IDEMPOTENCY_HEADER] = call.idempotencyKey;
    const response = await super.request({ ...opts, uri: this.route(opts.uri), headers });
    if (call) call.response = response as Response<unknown>;
    return response;
  }

  /** `https://api.twilio.com/2010-04-01/…` (or an edge/region variant of it) → `<apiBase>/2010-04-01/…`. */
  route(uri: string): string {
    if (!this.base) return uri;
    const target = new URL(uri);
    if (!/^api(\.[a-z0-9-]+)*\.twilio\.com$/i.test(target.hostname)) return uri;
    const rebased = new URL(this.base.href);
    rebased.pathname = `${this.base.pathname.replace(/\/+$/, '')}${target.pathname}`;
    rebased.search = target.search;
    return rebased.href;
  }
}
