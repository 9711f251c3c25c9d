import { ADYEN_DECLINING_CARDS } from '../../e2e/peers/declining-test-cards';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdyenPeer, startAdyenPeer } from '../../e2e/peers/adyen-peer';
import { AdyenProvider } from './adyen-provider';
import type { ChargeRequest } from './payment-provider';

const TIMEOUT_MS = 400;

function chargeRequest(token: string, recorded: string[] = []): ChargeRequest {
  return {
    idempotencyKey: `${randomUUID()}:2`,
    amountMinor: 1500,
    currency: 'jpy',
    token,
    customerRef: 'cust-1',
    metadata: { checkout_id: 'co_1' },
    recordReference: async (reference) => {
      recorded.push(reference);
    },
  };
}

describe('AdyenProvider against the Adyen peer (HTTPS)', () => {
  let peer: AdyenPeer;
  let provider: AdyenProvider;

  beforeAll(async () => {
    peer = await startAdyenPeer();
    provider = new AdyenProvider({ apiKey: peer.apiKey, merchantAccount: peer.merchantAccount, apiBase: peer.url, timeoutMs: TIMEOUT_MS, returnUrl: 'https://shop.example/return' });
  });
  afterAll(() => peer.close());
  beforeEach(() => peer.clear());

  it('authorises with manual capture, records the pspReference, then captures', async () => {
    const recorded: string[] = [];
    let statusWhenRecorded: string | undefined;
    const request = chargeRequest('adyen_card_ok', recorded);
    request.recordReference = async (reference) => {
      recorded.push(reference);
      statusWhenRecorded = peer.payments.find((p) => p.pspReference === reference)?.status;
    };
    expect(await provider.charge(request)).toEqual({ kind: 'succeeded', providerReference: recorded[0] });
    expect(statusWhenRecorded).toBe('authorised');
    expect(peer.capturedPayments()).toMatchObject([
      { reference: request.idempotencyKey, amount: 1500, currency: 'JPY', shopperReference: 'cust-1', storedPaymentMethodId: 'adyen_card_ok', manualCapture: true },
    ]);
    expect(peer.requests.map((r) => [r.operation, r.idempotencyKey])).toEqual([
      ['payments', request.idempotencyKey],
      ['captures', `${request.idempotencyKey}:capture`],
    ]);
  });

  it.each(ADYEN_DECLINING_CARDS)('%s is refused as %s', async (token, code) => {
    expect(await provider.charge(chargeRequest(token))).toMatchObject({ kind: 'declined', code });
    expect(peer.capturedPayments()).toHaveLength(0);
  });

  it('a validation refusal is a decline (no failover), not an outage', async () => {
    expect(await provider.charge(chargeRequest('unknown_token'))).toMatchObject({ kind: 'declined', code: 'processing_error', providerCode: '800' });
  });

  it.each(['reset_before', 'error_500_before', 'error_503_before'] as const)('a payment answered %s settles as not charged by a technical cancel', async (fault) => {
    peer.failNext(fault, { operation: 'payments' });
    const recorded: string[] = [];
    const request = chargeRequest('adyen_card_ok', recorded);
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable' });
    expect(recorded).toEqual([]);
    expect(await provider.settle(request)).toMatchObject({ kind: 'not_charged' });
    expect(peer.cancels).toEqual([request.idempotencyKey]);
    expect(peer.payments).toHaveLength(0);
  });

  it.each(['timeout_after', 'error_500_after'] as const)('a payment authorised but answered %s is cancelled, never captured', async (fault) => {
    peer.failNext(fault, { operation: 'payments' });
    const request = chargeRequest('adyen_card_ok');
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable', fault: fault === 'timeout_after' ? 'timeout' : 'server_error' });
    expect(await provider.settle(request)).toMatchObject({ kind: 'not_charged' });
    expect(peer.payments.map((p) => p.status)).toEqual(['cancelled']);
  });

  it('a capture that timed out settles by replaying it: charged once', async () => {
    peer.failNext('timeout_after', { operation: 'captures' });
    const recorded: string[] = [];
    const request = chargeRequest('adyen_card_ok', recorded);
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable', fault: 'timeout' });
    expect(await provider.settle({ ...request, providerReference: recorded[0] })).toEqual({ kind: 'charged', providerReference: recorded[0] });
    expect(peer.requests.filter((r) => r.operation === 'captures').map((r) => r.replayed)).toEqual([false, true]);
    expect(peer.capturedPayments()).toHaveLength(1);
  });

  it('a capture refused before processing settles by capturing: charged', async () => {
    peer.failNext('error_503_before', { operation: 'captures' });
    const recorded: string[] = [];
    const request = chargeRequest('adyen_card_ok', recorded);
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(peer.capturedPayments()).toHaveLength(0);
    expect(await provider.settle({ ...request, providerReference: recorded[0] })).toMatchObject({ kind: 'charged' });
    expect(peer.capturedPayments()).toHaveLength(1);
  });

  it('an authorised payment whose capture cannot be sent settles as unknown', async () => {
    peer.failNext('reset_before', { operation: 'captures', times: 2 });
    const recorded: string[] = [];
    const request = chargeRequest('adyen_card_ok', recorded);
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable', fault: 'network' });
    expect(await provider.settle({ ...request, providerReference: recorded[0] })).toMatchObject({ kind: 'unknown' });
  });

  it('an idempotency key already processed returns the first answer; one in flight is refused with 704', async () => {
    const request = chargeRequest('adyen_card_ok');
    const { CheckoutAPI, Client, EnvironmentEnum } = await import('@adyen/api-library');
    const api = new CheckoutAPI(new Client({ apiKey: peer.apiKey, environment: EnvironmentEnum.TEST })).PaymentsApi;
    (api as unknown as { baseUrl: string }).baseUrl = peer.url;
    const body = {
      merchantAccount: peer.merchantAccount,
      reference: request.idempotencyKey,
      amount: { value: 100, currency: 'EUR' },
      returnUrl: 'https://shop.example/return',
      paymentMethod: { type: 'scheme', storedPaymentMethodId: 'adyen_card_ok' },
      shopperReference: 'cust-1',
      shopperInteraction: 'ContAuth',
      recurringProcessingModel: 'UnscheduledCardOnFile',
    } as never;
    peer.setLatency(150);
    try {
      const [first, second] = await Promise.allSettled([api.payments(body, { idempotencyKey: request.idempotencyKey }), api.payments(body, { idempotencyKey: request.idempotencyKey })]);
      expect(first.status).toBe('fulfilled');
      expect(second).toMatchObject({ status: 'rejected', reason: { statusCode: 422, errorCode: '704' } });
      const replay = await api.payments(body, { idempotencyKey: request.idempotencyKey });
      expect(replay.pspReference).toBe((first as PromiseFulfilledResult<{ pspReference: string }>).value.pspReference);
      expect(peer.payments).toHaveLength(1);
    } finally {
      peer.setLatency(0);
    }
  });
});
