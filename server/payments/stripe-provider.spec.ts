import { STRIPE_DECLINING_CARDS } from '../../e2e/peers/declining-test-cards';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripePeer, StripePeer } from '../../e2e/peers/stripe-peer';
import type { ChargeRequest, DeclineCode } from './payment-provider';
import { StripeProvider } from './stripe-provider';

const TIMEOUT_MS = 400;

function chargeRequest(token: string, recorded: string[] = []): ChargeRequest {
  return {
    idempotencyKey: `${randomUUID()}:1`,
    amountMinor: 1999,
    currency: 'USD',
    token,
    customerRef: 'cust-1',
    metadata: { checkout_id: 'co_1' },
    recordReference: async (reference) => {
      recorded.push(reference);
    },
  };
}

describe('StripeProvider against the Stripe peer', () => {
  let peer: StripePeer;
  let provider: StripeProvider;

  beforeAll(async () => {
    peer = await startStripePeer();
    provider = new StripeProvider({ secretKey: peer.secretKey, apiBase: peer.url, timeoutMs: TIMEOUT_MS });
  });
  afterAll(() => peer.close());
  beforeEach(() => peer.clear());

  it('creates unconfirmed, records the intent, then confirms', async () => {
    const recorded: string[] = [];
    let statusWhenRecorded: string | undefined;
    const request = chargeRequest('pm_card_visa', recorded);
    request.recordReference = async (reference) => {
      recorded.push(reference);
      statusWhenRecorded = peer.intents.get(reference)?.status;
    };
    const outcome = await provider.charge(request);
    expect(outcome).toEqual({ kind: 'succeeded', providerReference: recorded[0] });
    expect(statusWhenRecorded).toBe('requires_confirmation');
    expect(peer.requests.map((r) => [r.operation, r.idempotencyKey])).toEqual([
      ['create', `${request.idempotencyKey}:create`],
      ['confirm', `${request.idempotencyKey}:confirm`],
    ]);
    expect(peer.succeededCharges()).toMatchObject([{ amount: 1999, currency: 'usd', reference: request.idempotencyKey }]);
    expect(peer.intents.get(recorded[0])?.metadata).toEqual({ checkout_id: 'co_1', reference: request.idempotencyKey });
  });

  it.each([...STRIPE_DECLINING_CARDS, ['pm_card_visa_chargeDeclinedLostCard', 'lost_card'] as [string, DeclineCode]])('%s is declined as %s', async (token, code) => {
    const outcome = await provider.charge(chargeRequest(token));
    expect(outcome).toMatchObject({ kind: 'declined', code, providerReference: expect.stringMatching(/^pi_/) });
    expect(peer.succeededCharges()).toHaveLength(0);
  });

  it('an unknown payment method is refused without failover', async () => {
    expect(await provider.charge(chargeRequest('pm_nope'))).toMatchObject({ kind: 'declined', code: 'processing_error', providerCode: 'resource_missing' });
  });

  it('a reset create is unavailable, and settles as never confirmed', async () => {
    // The SDK retries a reset connection once by itself (same key), so both tries are reset.
    peer.failNext('reset_before', { operation: 'create', times: 2 });
    const recorded: string[] = [];
    const request = chargeRequest('pm_card_visa', recorded);
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable', fault: 'network' });
    expect(recorded).toEqual([]);
    const status = await provider.settle({ ...request, providerReference: undefined });
    expect(status).toMatchObject({ kind: 'not_charged' });
    // The replayed create made the intent (the first never ran) and settle cancelled it.
    expect([...peer.intents.values()].map((i) => i.status)).toEqual(['canceled']);
    expect(peer.charges).toHaveLength(0);
  });

  it('a create that timed out after processing settles by replaying it: the stored intent, cancelled', async () => {
    peer.failNext('timeout_after', { operation: 'create' });
    const request = chargeRequest('pm_card_visa');
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable', fault: 'timeout' });
    expect(await provider.settle(request)).toMatchObject({ kind: 'not_charged' });
    const replay = peer.requests.find((r) => r.operation === 'create' && r.replayed);
    expect(replay?.idempotencyKey).toBe(`${request.idempotencyKey}:create`);
    expect([...peer.intents.values()].map((i) => i.status)).toEqual(['canceled']);
  });

  it('a confirm that timed out after processing settles as charged', async () => {
    peer.failNext('timeout_after', { operation: 'confirm' });
    const recorded: string[] = [];
    const request = chargeRequest('pm_card_visa', recorded);
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable', fault: 'timeout' });
    expect(await provider.settle({ ...request, providerReference: recorded[0] })).toEqual({ kind: 'charged', providerReference: recorded[0] });
    expect(peer.succeededCharges()).toHaveLength(1);
  });

  it.each(['error_500_before', 'error_503_before'] as const)('a confirm answered %s settles by cancelling the intent', async (fault) => {
    peer.failNext(fault, { operation: 'confirm' });
    const recorded: string[] = [];
    const request = chargeRequest('pm_card_visa', recorded);
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable', fault: 'server_error', status: fault === 'error_500_before' ? 500 : 503 });
    expect(await provider.settle({ ...request, providerReference: recorded[0] })).toMatchObject({ kind: 'not_charged' });
    expect(peer.intents.get(recorded[0])?.status).toBe('canceled');
    expect(peer.charges).toHaveLength(0);
  });

  it('a confirm answered 500 after processing settles as charged', async () => {
    peer.failNext('error_500_after', { operation: 'confirm' });
    const recorded: string[] = [];
    const request = chargeRequest('pm_card_visa', recorded);
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable', status: 500 });
    expect(await provider.settle({ ...request, providerReference: recorded[0] })).toMatchObject({ kind: 'charged' });
  });

  it('settle cannot tell when Stripe stays unreachable after a confirm was sent', async () => {
    peer.failNext('reset_before', { operation: 'confirm', times: 2 });
    peer.failNext('reset_before', { operation: 'retrieve', times: 2 });
    const recorded: string[] = [];
    const request = chargeRequest('pm_card_visa', recorded);
    expect(await provider.charge(request)).toMatchObject({ kind: 'unavailable', fault: 'network' });
    expect(await provider.settle({ ...request, providerReference: recorded[0] })).toMatchObject({ kind: 'unknown' });
  });

  describe('idempotency at the peer', () => {
    const stripe = () => new Stripe(peer.secretKey, { host: '127.0.0.1', port: Number(new URL(peer.url).port), protocol: 'http', maxNetworkRetries: 0 });

    it('same key and parameters: the stored answer, marked replayed, no new object', async () => {
      const key = randomUUID();
      const params = { amount: 500, currency: 'eur', payment_method: 'pm_card_visa', confirm: false };
      const first = await stripe().paymentIntents.create(params, { idempotencyKey: key });
      const second = await stripe().paymentIntents.create(params, { idempotencyKey: key });
      expect(second.id).toBe(first.id);
      expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(peer.intents.size).toBe(1);
    });

    it('same key and other parameters: 400 idempotency_error', async () => {
      const key = randomUUID();
      await stripe().paymentIntents.create({ amount: 500, currency: 'eur', payment_method: 'pm_card_visa' }, { idempotencyKey: key });
      await expect(stripe().paymentIntents.create({ amount: 501, currency: 'eur', payment_method: 'pm_card_visa' }, { idempotencyKey: key })).rejects.toBeInstanceOf(
        Stripe.errors.StripeIdempotencyError,
      );
    });

    it('same key while the first request runs: 409', async () => {
      peer.setLatency(200);
      try {
        const key = randomUUID();
        const params = { amount: 500, currency: 'eur', payment_method: 'pm_card_visa' };
        const results = await Promise.allSettled([stripe().paymentIntents.create(params, { idempotencyKey: key }), stripe().paymentIntents.create(params, { idempotencyKey: key })]);
        const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(refused.reason.statusCode).toBe(409);
        expect(refused.reason.code).toBe('idempotency_key_in_use');
        expect(peer.intents.size).toBe(1);
      } finally {
        peer.setLatency(0);
      }
    });
  });
});
