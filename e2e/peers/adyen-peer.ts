import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  delay,
  FaultScript,
  hangUntilClientGivesUp,
  IdempotencyStore,
  lowerHeaders,
  PeerFault,
  PeerRequest,
  readBody,
  resetConnection,
  sendJson,
  StoredAnswer,
} from './payment-peer-kit';

/**
 * A stand-in for Adyen's Checkout API (v70+) over HTTPS, as `@adyen/api-library` calls it: `POST /payments` with a
 * stored card, `POST /payments/{pspReference}/captures`, and the technical cancel `POST /cancels` by our own
 * reference. Authentication by `X-API-Key`; `Idempotency-Key` answered as Adyen documents it (a key already
 * processed returns the first answer; a key still being processed is refused with error 704).
 * Serves the certificate in `e2e/peers/tls/` (trusted by tests through NODE_EXTRA_CA_CERTS).
 */

export type AdyenOperation = 'payments' | 'captures' | 'cancels';

interface StoredCard {
  refusalReason?: string;
  refusalReasonCode?: string;
  /** The acquirer's raw answer, as Adyen passes it in `additionalData.refusalReasonRaw`. */
  refusalReasonRaw?: string;
}

/** Stored payment method ids the peer knows, and how the "issuer" answers each. */
export const ADYEN_TEST_CARDS: Record<string, StoredCard> = {
  adyen_card_ok: {},
  adyen_card_stolen: { refusalReason: 'Blocked Card', refusalReasonCode: '5', refusalReasonRaw: '43 : Stolen card' },
  adyen_card_lost: { refusalReason: 'Blocked Card', refusalReasonCode: '5', refusalReasonRaw: '41 : Lost card' },
  adyen_card_fraud: { refusalReason: 'FRAUD', refusalReasonCode: '20' },
  adyen_card_no_balance: { refusalReason: 'Not enough balance', refusalReasonCode: '12', refusalReasonRaw: '51 : Insufficient funds' },
  adyen_card_expired: { refusalReason: 'Expired Card', refusalReasonCode: '6', refusalReasonRaw: '54 : Expired card' },
  adyen_card_do_not_honor: { refusalReason: 'Refused', refusalReasonCode: '2', refusalReasonRaw: '05 : Do not honor' },
  adyen_card_cvc: { refusalReason: 'CVC Declined', refusalReasonCode: '24' },
  adyen_card_declined: { refusalReason: 'Refused', refusalReasonCode: '2' },
  adyen_card_auth_required: { refusalReason: 'Authentication required', refusalReasonCode: '38' },
  adyen_card_acquirer_error: { refusalReason: 'Acquirer Error', refusalReasonCode: '4' },
};

/** A payment the peer processed. */
export interface AdyenPeerPayment {
  pspReference: string;
  /** The merchant reference: our attempt's idempotency key. */
  reference: string;
  merchantAccount: string;
  amount: number;
  currency: string;
  storedPaymentMethodId: string;
  shopperReference: string;
  /** authorised → captured (money moved) or cancelled (hold released); refused never changes. */
  status: 'authorised' | 'refused' | 'captured' | 'cancelled';
  manualCapture: boolean;
  /** Modifications Adyen would report by webhook as failed (a capture after a cancel, a cancel after a capture). */
  failedModifications: string[];
}

export interface AdyenPeer {
  /** https://127.0.0.1:PORT/v72, to use as ADYEN_API_BASE. */
  url: string;
  apiKey: string;
  merchantAccount: string;
  payments: AdyenPeerPayment[];
  /** Captured payments: the ones where money moved. */
  capturedPayments(): AdyenPeerPayment[];
  /** Technical cancels received, by payment reference. */
  cancels: string[];
  requests: PeerRequest[];
  failNext(fault: PeerFault, options?: { operation?: AdyenOperation; times?: number }): void;
  setLatency(ms: number): void;
  clear(): void;
  close(): Promise<void>;
}

export interface AdyenPeerOptions {
  apiKey?: string;
  merchantAccount?: string;
  latencyMs?: number;
}

const TLS_DIR = join(__dirname, 'tls');
const CAPTURE_PATH = /^\/v\d+\/payments\/([A-Z0-9]{16})\/captures$/;

function adyenError(status: number, errorCode: string, message: string, errorType = 'validation'): StoredAnswer {
  return { status, body: { status, errorCode, message, errorType } };
}

function pspReference(): string {
  // Adyen's are 16 characters, digits and capitals.
  return Array.from({ length: 16 }, () => '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[Math.floor(Math.random() * 36)]).join('');
}

export async function startAdyenPeer(options: AdyenPeerOptions = {}): Promise<AdyenPeer> {
  const apiKey = options.apiKey ?? 'AQE_peer_api_key_0123456789';
  const merchantAccount = options.merchantAccount ?? 'PeerMerchantECOM';
  let latencyMs = options.latencyMs ?? 0;
  const payments: AdyenPeerPayment[] = [];
  const cancels: string[] = [];
  const requests: PeerRequest[] = [];
  const faults = new FaultScript();
  const idempotency = new IdempotencyStore();

  function pay(body: Record<string, any>): StoredAnswer {
    if (body.merchantAccount !== merchantAccount) return adyenError(403, '901', 'Invalid Merchant Account', 'security');
    const value = body.amount?.value;
    const currency = body.amount?.currency;
    if (!Number.isInteger(value) || value < 0) return adyenError(422, '137', 'Invalid amount specified');
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return adyenError(422, '128', 'Currency code not valid');
    if (typeof body.reference !== 'string' || !body.reference) return adyenError(422, '130', 'Required field \'reference\' is not provided.');
    if (typeof body.returnUrl !== 'string') return adyenError(422, '14_004', 'Missing payment method details: returnUrl');
    const token = body.paymentMethod?.storedPaymentMethodId;
    if (body.paymentMethod?.type !== 'scheme' || typeof token !== 'string') return adyenError(422, '14_004', 'Missing payment method details: storedPaymentMethodId');
    if (typeof body.shopperReference !== 'string' || !body.shopperReference) return adyenError(422, '130', 'Required field \'shopperReference\' is not provided.');
    if (body.shopperInteraction !== 'ContAuth' || !body.recurringProcessingModel) {
      return adyenError(422, '702', 'A stored payment method requires shopperInteraction ContAuth and a recurringProcessingModel');
    }
    const card = ADYEN_TEST_CARDS[token];
    if (!card) return adyenError(422, '800', 'Contract not found');
    const payment: AdyenPeerPayment = {
      pspReference: pspReference(),
      reference: body.reference,
      merchantAccount,
      amount: value,
      currency,
      storedPaymentMethodId: token,
      shopperReference: body.shopperReference,
      status: card.refusalReason ? 'refused' : 'authorised',
      manualCapture: body.additionalData?.manualCapture === 'true',
      failedModifications: [],
    };
    // Without manual capture the account captures at once (an immediate capture delay).
    if (payment.status === 'authorised' && !payment.manualCapture) payment.status = 'captured';
    payments.push(payment);
    const answer: Record<string, unknown> = {
      pspReference: payment.pspReference,
      resultCode: card.refusalReason ? 'Refused' : 'Authorised',
      amount: { value, currency },
      merchantReference: payment.reference,
    };
    if (card.refusalReason) {
      answer.refusalReason = card.refusalReason;
      answer.refusalReasonCode = card.refusalReasonCode;
      if (card.refusalReasonRaw) answer.additionalData = { refusalReasonRaw: card.refusalReasonRaw };
    }
    return { status: 200, body: answer };
  }

  function capture(paymentPspReference: string, body: Record<string, any>): StoredAnswer {
    if (body.merchantAccount !== merchantAccount) return adyenError(403, '901', 'Invalid Merchant Account', 'security');
    const payment = payments.find((p) => p.pspReference === paymentPspReference);
    if (!payment) return adyenError(422, '167', 'Original pspReference required for this operation');
    if (body.amount?.value !== payment.amount || body.amount?.currency !== payment.currency) return adyenError(422, '137', 'Invalid amount specified');
    const modification = pspReference();
    // Adyen only acknowledges a capture; whether it succeeds arrives later (CAPTURE / CAPTURE_FAILED webhooks).
    if (payment.status === 'authorised') payment.status = 'captured';
    else if (payment.status !== 'captured') payment.failedModifications.push(`capture ${modification}: payment is ${payment.status}`);
    return {
      status: 201,
      body: { merchantAccount, paymentPspReference, pspReference: modification, reference: body.reference, status: 'received', amount: body.amount },
    };
  }

  function technicalCancel(body: Record<string, any>): StoredAnswer {
    if (body.merchantAccount !== merchantAccount) return adyenError(403, '901', 'Invalid Merchant Account', 'security');
    if (typeof body.paymentReference !== 'string' || !body.paymentReference) return adyenError(422, '130', 'Required field \'paymentReference\' is not provided.');
    const modification = pspReference();
    cancels.push(body.paymentReference);
    for (const payment of payments.filter((p) => p.reference === body.paymentReference)) {
      if (payment.status === 'authorised') payment.status = 'cancelled';
      else if (payment.status === 'captured') payment.failedModifications.push(`cancel ${modification}: payment is captured`);
    }
    return { status: 201, body: { merchantAccount, paymentReference: body.paymentReference, pspReference: modification, reference: body.reference, status: 'received' } };
  }

  function route(method: string, path: string): { operation: AdyenOperation; pspReference?: string } | undefined {
    if (method !== 'POST') return undefined;
    if (/^\/v\d+\/payments$/.test(path)) return { operation: 'payments' };
    if (/^\/v\d+\/cancels$/.test(path)) return { operation: 'cancels' };
    const match = CAPTURE_PATH.exec(path);
    return match ? { operation: 'captures', pspReference: match[1] } : undefined;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'https://peer').pathname;
    const headers = lowerHeaders(request);
    const key = headers['idempotency-key'] ?? null;
    const log: PeerRequest = { method, path, operation: 'unknown', idempotencyKey: key, status: 0, replayed: false };
    requests.push(log);
    const answer = (stored: StoredAnswer) => {
      log.status = stored.status;
      sendJson(response, stored.status, stored.body, key ? { 'idempotency-key': key } : {});
    };

    if (headers['x-api-key'] !== apiKey) return answer(adyenError(401, '000', 'HTTP Status Response - Unauthorized', 'security'));
    const target = route(method, path);
    if (!target) return answer(adyenError(404, '000', `No endpoint for ${method} ${path}`));
    log.operation = target.operation;
    let body: Record<string, any>;
    try {
      body = JSON.parse(raw);
    } catch {
      return answer(adyenError(400, '702', 'Structure of the request is not valid JSON'));
    }

    const fault = faults.take(target.operation);
    log.fault = fault;
    if (fault === 'reset_before') return resetConnection(request);
    if (fault === 'error_500_before') return answer(adyenError(500, '905', 'Payment details are not supported', 'internal'));
    if (fault === 'error_503_before') return answer(adyenError(503, '000', 'Service Unavailable', 'internal'));

    if (key) {
      const known = idempotency.lookup(key);
      if (known?.state === 'in_flight') return answer(adyenError(422, '704', 'request already processed or in progress'));
      if (known?.state === 'done') {
        await delay(latencyMs);
        log.replayed = true;
        return answer(known.answer);
      }
      idempotency.begin(key, raw);
    }

    await delay(latencyMs);
    const result = target.operation === 'payments' ? pay(body) : target.operation === 'captures' ? capture(target.pspReference!, body) : technicalCancel(body);
    if (key) {
      // A request refused by validation was not processed: its key stays free.
      if (result.status < 400) idempotency.finish(key, raw, result);
      else idempotency.forget(key);
    }
    if (fault === 'timeout_after') {
      log.status = -1;
      return hangUntilClientGivesUp(request, response);
    }
    if (fault === 'error_500_after') return answer(adyenError(500, '000', 'Internal error', 'internal'));
    answer(result);
  }

  const server = createServer({ key: readFileSync(join(TLS_DIR, 'peer-key.pem')), cert: readFileSync(join(TLS_DIR, 'peer.pem')) }, (request, response) => {
    handle(request, response).catch((error) => {
      if (!response.headersSent) sendJson(response, 500, { status: 500, errorCode: '000', message: String(error), errorType: 'internal' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://127.0.0.1:${port}/v72`,
    apiKey,
    merchantAccount,
    payments,
    capturedPayments: () => payments.filter((p) => p.status === 'captured'),
    cancels,
    requests,
    failNext: (fault, opts) => faults.add(fault, opts),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    clear() {
      payments.length = 0;
      cancels.length = 0;
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
