import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  delay,
  FaultScript,
  hangUntilClientGivesUp,
  IdempotencyStore,
  lowerHeaders,
  PeerFault,
  PeerRequest,
  randomId,
  readBody,
  resetConnection,
  sendJson,
  StoredAnswer,
} from './payment-peer-kit';

/**
 * A stand-in for Stripe's PaymentIntents API as the `stripe` SDK calls it: create, confirm, retrieve and cancel,
 * form-encoded bodies, Bearer secret keys, and Stripe's idempotency rules (same key and same parameters: the stored
 * answer with `Idempotent-Replayed: true`; same key and other parameters: 400 `idempotency_error`; same key while
 * the first request runs: 409 `idempotency_key_in_use`). Test payment methods are Stripe's own names.
 */

export type StripeOperation = 'create' | 'confirm' | 'retrieve' | 'cancel';

interface CardBehaviour {
  code?: string;
  declineCode?: string;
  message?: string;
}

const DECLINED = 'Your card was declined.';

/** Stripe's test PaymentMethods (with and without the `visa_` infix Stripe uses for some). */
export const STRIPE_TEST_CARDS: Record<string, CardBehaviour> = {
  pm_card_visa: {},
  pm_card_mastercard: {},
  pm_card_amex: {},
  pm_card_chargeDeclined: { code: 'card_declined', declineCode: 'generic_decline', message: DECLINED },
  pm_card_chargeDeclinedInsufficientFunds: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  pm_card_chargeDeclinedLostCard: { code: 'card_declined', declineCode: 'lost_card', message: DECLINED },
  pm_card_chargeDeclinedStolenCard: { code: 'card_declined', declineCode: 'stolen_card', message: DECLINED },
  pm_card_chargeDeclinedFraudulent: { code: 'card_declined', declineCode: 'fraudulent', message: DECLINED },
  pm_card_chargeDeclinedExpiredCard: { code: 'expired_card', declineCode: 'expired_card', message: 'Your card has expired.' },
  pm_card_chargeDeclinedIncorrectCvc: { code: 'incorrect_cvc', declineCode: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  pm_card_chargeDeclinedProcessingError: { code: 'processing_error', declineCode: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' },
  /** Stripe has no test card for this issuer answer; the peer adds one under the same naming scheme. */
  pm_card_chargeDeclinedDoNotHonor: { code: 'card_declined', declineCode: 'do_not_honor', message: DECLINED },
  pm_card_authenticationRequired: { code: 'authentication_required', declineCode: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.' },
};
for (const name of Object.keys(STRIPE_TEST_CARDS)) {
  if (name.startsWith('pm_card_chargeDeclined')) STRIPE_TEST_CARDS[name.replace('pm_card_', 'pm_card_visa_')] = STRIPE_TEST_CARDS[name];
}

export interface StripePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';
  payment_method: string | null;
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  latest_charge: string | null;
  last_payment_error: Record<string, unknown> | null;
  cancellation_reason: string | null;
  canceled_at: number | null;
  capture_method: 'automatic';
  confirmation_method: 'automatic';
  client_secret: string;
  created: number;
  livemode: false;
}

/** A charge the peer made (succeeded) or refused. */
export interface StripePeerCharge {
  id: string;
  paymentIntent: string;
  amount: number;
  currency: string;
  paymentMethod: string;
  /** `metadata.reference` of the intent: our attempt's idempotency key. */
  reference: string | undefined;
  status: 'succeeded' | 'failed';
  declineCode?: string;
}

export interface StripePeer {
  /** http://127.0.0.1:PORT, to use as STRIPE_API_BASE. */
  url: string;
  secretKey: string;
  intents: Map<string, StripePaymentIntent>;
  /** Every charge, succeeded or failed, oldest first. */
  charges: StripePeerCharge[];
  succeededCharges(): StripePeerCharge[];
  requests: PeerRequest[];
  /** Scripts a fault for the next `times` calls of `operation` (of any operation when unset). */
  failNext(fault: PeerFault, options?: { operation?: StripeOperation; times?: number }): void;
  /** Every answer waits this long first (the benchmark uses 50 ms). */
  setLatency(ms: number): void;
  clear(): void;
  close(): Promise<void>;
}

export interface StripePeerOptions {
  secretKey?: string;
  latencyMs?: number;
}

type Params = Record<string, unknown>;

/** Stripe's form encoding: `metadata[reference]=x`, `automatic_payment_methods[enabled]=true`, `list[0]=a`. */
export function parseStripeForm(body: string): Params {
  const result: Params = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.split(/\[|\]\[|\]/).filter((p) => p !== '');
    let target: Params = result;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) target[part] = value;
      else target = (target[part] ??= {}) as Params;
    });
  }
  return result;
}

function stripeError(status: number, error: Record<string, unknown>): StoredAnswer {
  return { status, body: { error: { ...error, doc_url: error.code ? `https://stripe.com/docs/error-codes/${error.code}` : undefined } } };
}

const INTENT_PATH = /^\/v1\/payment_intents\/(pi_[A-Za-z0-9]+)(\/confirm|\/cancel)?$/;
const CANCELLABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action', 'requires_capture', 'processing']);

export async function startStripePeer(options: StripePeerOptions = {}): Promise<StripePeer> {
  const secretKey = options.secretKey ?? 'sk_test_peer_0123456789abcdefghijklmnop';
  let latencyMs = options.latencyMs ?? 0;
  const intents = new Map<string, StripePaymentIntent>();
  const charges: StripePeerCharge[] = [];
  const requests: PeerRequest[] = [];
  const faults = new FaultScript();
  const idempotency = new IdempotencyStore();

  function create(params: Params): StoredAnswer {
    const amount = Number(params.amount);
    if (!Number.isInteger(amount) || amount < 1) return stripeError(400, { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid positive integer' });
    if (typeof params.currency !== 'string' || !/^[a-z]{3}$/.test(params.currency)) return stripeError(400, { type: 'invalid_request_error', code: 'parameter_invalid_empty', param: 'currency', message: 'Invalid currency' });
    const paymentMethod = typeof params.payment_method === 'string' ? params.payment_method : null;
    if (paymentMethod && !(paymentMethod in STRIPE_TEST_CARDS)) {
      return stripeError(400, { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: `No such PaymentMethod: '${paymentMethod}'` });
    }
    const id = randomId('pi_', 12);
    const intent: StripePaymentIntent = {
      id,
      object: 'payment_intent',
      amount,
      currency: params.currency,
      status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
      payment_method: paymentMethod,
      customer: typeof params.customer === 'string' ? params.customer : null,
      description: typeof params.description === 'string' ? params.description : null,
      metadata: { ...((params.metadata as Record<string, string>) ?? {}) },
      latest_charge: null,
      last_payment_error: null,
      cancellation_reason: null,
      canceled_at: null,
      capture_method: 'automatic',
      confirmation_method: 'automatic',
      client_secret: `${id}_secret_${randomId('', 8)}`,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    intents.set(id, intent);
    if (params.confirm === 'true') return confirm(intent, params);
    return { status: 200, body: intent };
  }

  function confirm(intent: StripePaymentIntent, params: Params): StoredAnswer {
    if (typeof params.payment_method === 'string') intent.payment_method = params.payment_method;
    if (intent.status !== 'requires_confirmation' && intent.status !== 'requires_payment_method') {
      return stripeError(400, {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent's status is ${intent.status}, but it must be requires_confirmation or requires_payment_method to be confirmed.`,
        payment_intent: intent,
      });
    }
    const card = intent.payment_method ? STRIPE_TEST_CARDS[intent.payment_method] : undefined;
    if (!card) return stripeError(400, { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message: 'You cannot confirm this PaymentIntent because it has no payment method.' });
    const charge: StripePeerCharge = {
      id: randomId('ch_', 12),
      paymentIntent: intent.id,
      amount: intent.amount,
      currency: intent.currency,
      paymentMethod: intent.payment_method!,
      reference: intent.metadata.reference,
      status: card.code ? 'failed' : 'succeeded',
      declineCode: card.declineCode,
    };
    charges.push(charge);
    intent.latest_charge = charge.id;
    if (!card.code) {
      intent.status = 'succeeded';
      intent.last_payment_error = null;
      return { status: 200, body: intent };
    }
    const error = { type: 'card_error', code: card.code, decline_code: card.declineCode, message: card.message, charge: charge.id };
    intent.status = 'requires_payment_method';
    intent.last_payment_error = error;
    return stripeError(402, { ...error, payment_intent: intent });
  }

  function cancel(intent: StripePaymentIntent, params: Params): StoredAnswer {
    if (!CANCELLABLE.has(intent.status)) {
      return stripeError(400, {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${[...CANCELLABLE].join(', ')}.`,
        payment_intent: intent,
      });
    }
    intent.status = 'canceled';
    intent.canceled_at = Math.floor(Date.now() / 1000);
    intent.cancellation_reason = typeof params.cancellation_reason === 'string' ? params.cancellation_reason : null;
    return { status: 200, body: intent };
  }

  function route(method: string, path: string): { operation: StripeOperation; intentId?: string } | undefined {
    if (method === 'POST' && path === '/v1/payment_intents') return { operation: 'create' };
    const match = INTENT_PATH.exec(path);
    if (!match) return undefined;
    if (method === 'GET' && !match[2]) return { operation: 'retrieve', intentId: match[1] };
    if (method === 'POST' && match[2] === '/confirm') return { operation: 'confirm', intentId: match[1] };
    if (method === 'POST' && match[2] === '/cancel') return { operation: 'cancel', intentId: match[1] };
    return undefined;
  }

  function process(operation: StripeOperation, intentId: string | undefined, params: Params): StoredAnswer {
    if (operation === 'create') return create(params);
    const intent = intents.get(intentId!);
    if (!intent) return stripeError(404, { type: 'invalid_request_error', code: 'resource_missing', param: 'intent', message: `No such payment_intent: '${intentId}'` });
    if (operation === 'retrieve') return { status: 200, body: intent };
    if (operation === 'confirm') return confirm(intent, params);
    return cancel(intent, params);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://peer').pathname;
    const headers = lowerHeaders(request);
    const key = method === 'POST' ? (headers['idempotency-key'] ?? null) : null;
    const log: PeerRequest = { method, path, operation: 'unknown', idempotencyKey: key, status: 0, replayed: false };
    requests.push(log);
    const answer = (stored: StoredAnswer, extra: Record<string, string> = {}) => {
      log.status = stored.status;
      sendJson(response, stored.status, stored.body, { 'request-id': randomId('req_', 7), 'stripe-version': headers['stripe-version'] ?? '', ...extra });
    };

    if (headers.authorization !== `Bearer ${secretKey}`) {
      return answer(stripeError(401, { type: 'invalid_request_error', message: 'Invalid API Key provided' }));
    }
    const target = route(method, path);
    if (!target) return answer(stripeError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` }));
    log.operation = target.operation;

    const fault = faults.take(target.operation);
    log.fault = fault;
    if (fault === 'reset_before') return resetConnection(request);
    if (fault === 'error_500_before' || fault === 'error_503_before') {
      const status = fault === 'error_500_before' ? 500 : 503;
      return answer(stripeError(status, { type: 'api_error', message: 'An unknown error occurred' }), { 'stripe-should-retry': 'true' });
    }

    const fingerprint = `${method} ${path} ${body}`;
    if (key) {
      const known = idempotency.lookup(key);
      if (known?.state === 'in_flight') {
        return answer(stripeError(409, { type: 'invalid_request_error', code: 'idempotency_key_in_use', message: 'There is currently another in-progress request using this Idempotency Key.' }));
      }
      if (known && known.fingerprint !== fingerprint) {
        return answer(stripeError(400, { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.` }));
      }
      if (known?.state === 'done') {
        await delay(latencyMs);
        log.replayed = true;
        return answer(known.answer, { 'idempotent-replayed': 'true', 'idempotency-key': key });
      }
      idempotency.begin(key, fingerprint);
    }

    await delay(latencyMs);
    const result = process(target.operation, target.intentId, parseStripeForm(body));
    // Stripe saves a result once the endpoint has run; a request refused by validation saves nothing.
    const saved = result.status !== 400 || (result.body as { error?: { code?: string } }).error?.code === 'payment_intent_unexpected_state';
    if (key) {
      if (saved) idempotency.finish(key, fingerprint, result);
      else idempotency.forget(key);
    }
    const replayHeaders: Record<string, string> = key ? { 'idempotency-key': key } : {};
    if (fault === 'timeout_after') {
      log.status = -1;
      return hangUntilClientGivesUp(request, response);
    }
    if (fault === 'error_500_after') return answer(stripeError(500, { type: 'api_error', message: 'An unknown error occurred' }), replayHeaders);
    answer(result, replayHeaders);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      if (!response.headersSent) sendJson(response, 500, { error: { type: 'api_error', message: String(error) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    intents,
    charges,
    succeededCharges: () => charges.filter((c) => c.status === 'succeeded'),
    requests,
    failNext: (fault, opts) => faults.add(fault, opts),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    clear() {
      intents.clear();
      charges.length = 0;
      requests.length = 0;
      faults.clear();
      idempotency.clear();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
