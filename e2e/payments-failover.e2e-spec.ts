import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Pool } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkouts } from '../models/checkouts';
import { paymentAttempts } from '../models/checkout-sessions';
import { paymentMethods, type PaymentMethodRow } from '../models/profiles';
import { sources } from '../models/sources';
import { systemClock } from '../server/common/clock';
import { loadConfig } from '../server/config/app-config';
import { createDatabase, createPool, type Database } from '../server/database/database';
import { HARD_DECLINES } from '../server/payments/failover-policy';
import type { PaymentProvider, PaymentProviderName } from '../server/payments/payment-provider';
import { PaymentRouter } from '../server/payments/payment-router';
import { createPaymentProviders } from '../server/payments/payments.module';
import { AdyenPeer, startAdyenPeer } from './peers/adyen-peer';
import { PeerFault } from './peers/payment-peer-kit';
import { startStripePeer, StripePeer } from './peers/stripe-peer';
import { ADYEN_DECLINING_CARDS, STRIPE_DECLINING_CARDS } from './peers/declining-test-cards';
import { createTestDatabase, TestDatabase } from './support/test-database';

const TIMEOUT_MS = 500;

const BEFORE_PROCESSING: PeerFault[] = ['reset_before', 'error_500_before', 'error_503_before'];
const AFTER_PROCESSING: PeerFault[] = ['timeout_after', 'error_500_after'];

describe('payment gateway: failover, attempts, limits and reconciliation (real database, Stripe and Adyen peers)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let db: Database;
  let stripe: StripePeer;
  let adyen: AdyenPeer;
  let sourceId: string;
  let cardCounter = 0;

  function config(env: Record<string, string> = {}) {
    return loadConfig({
      DATABASE_URL: database.url,
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_API_BASE: stripe.url,
      ADYEN_API_KEY: adyen.apiKey,
      ADYEN_MERCHANT_ACCOUNT: adyen.merchantAccount,
      ADYEN_API_BASE: adyen.url,
      PAYMENT_TIMEOUT_MS: String(TIMEOUT_MS),
      ...env,
    });
  }

  /** A router as the app builds it; `wrap` stands in for a crash around a provider. */
  function router(env: Record<string, string> = {}, wrap: (provider: PaymentProvider) => PaymentProvider = (p) => p) {
    const appConfig = config(env);
    return new PaymentRouter(pool, db, systemClock, appConfig, createPaymentProviders(appConfig).map(wrap));
  }

  async function checkout(): Promise<string> {
    const id = randomUUID();
    const now = new Date();
    await db.insert(checkouts).values({ id, externalId: `co_${id.slice(0, 8)}`, sourceId, stage: 'payment', firstActivityAt: now, lastActivityAt: now });
    return id;
  }

  async function card(provider: PaymentProviderName, token: string, fallbackTokens: Record<string, string> = {}): Promise<PaymentMethodRow> {
    const [row] = await db
      .insert(paymentMethods)
      .values({ sourceId, customerRef: `cust-${++cardCounter}`, provider, token, fallbackTokens, brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034 })
      .returning();
    return row;
  }

  async function charge(using: PaymentRouter, method: PaymentMethodRow, options: { amount?: number; currency?: string; chargeKey?: string; checkoutId?: string } = {}) {
    const checkoutId = options.checkoutId ?? (await checkout());
    const chargeKey = options.chargeKey ?? randomUUID();
    const result = await using.charge({ checkoutId, chargeKey, paymentMethod: method, amount: options.amount ?? 19.99, currency: options.currency ?? 'USD', metadata: {} });
    return { checkoutId, chargeKey, result };
  }

  function attempts(chargeKey: string) {
    return db.select().from(paymentAttempts).where(eq(paymentAttempts.chargeKey, chargeKey)).orderBy(paymentAttempts.sequence);
  }

  /** Money that moved, across both providers. */
  function moneyMoved() {
    return [...stripe.succeededCharges().map((c) => ({ provider: 'stripe', reference: c.reference })), ...adyen.capturedPayments().map((p) => ({ provider: 'adyen', reference: p.reference }))];
  }

  beforeAll(async () => {
    if (!process.env.TEST_LOG_LEVEL) Logger.overrideLogger(false);
    database = await createTestDatabase('payments_failover');
    pool = createPool(database.url, 5);
    db = createDatabase(pool);
    [stripe, adyen] = await Promise.all([startStripePeer(), startAdyenPeer()]);
    const [source] = await db.insert(sources).values({ name: 'Payments store', writeKeyHash: randomUUID(), writeKeyPrefix: 'wk_test' }).returning();
    sourceId = source.id;
  });

  afterAll(async () => {
    await Promise.all([stripe?.close(), adyen?.close()]);
    await pool?.end();
    await database?.drop();
  });

  beforeEach(() => {
    stripe.clear();
    adyen.clear();
  });

  it('charges the card at its own provider and records the attempt', async () => {
    const method = await card('stripe', 'pm_card_visa', { adyen: 'adyen_card_ok' });
    const { checkoutId, chargeKey, result } = await charge(router(), method);
    expect(result).toMatchObject({ kind: 'succeeded', provider: 'stripe', providerReference: expect.stringMatching(/^pi_/) });
    const rows = await attempts(chargeKey);
    expect(rows).toMatchObject([
      {
        checkoutId,
        sequence: 1,
        paymentMethodId: method.id,
        provider: 'stripe',
        idempotencyKey: `${chargeKey}:1`,
        amount: '19.9900',
        currency: 'USD',
        status: 'succeeded',
        providerReference: (result as { providerReference: string }).providerReference,
        finishedAt: expect.any(Date),
      },
    ]);
    expect(result).toMatchObject({ attemptId: rows[0].id });
    expect(moneyMoved()).toEqual([{ provider: 'stripe', reference: `${chargeKey}:1` }]);
    expect(adyen.requests).toHaveLength(0);
  });

  it('converts major units per currency (zero-decimal JPY, three-decimal KWD)', async () => {
    await charge(router(), await card('stripe', 'pm_card_visa'), { amount: 1500, currency: 'JPY' });
    await charge(router(), await card('adyen', 'adyen_card_ok'), { amount: 1500, currency: 'JPY' });
    await charge(router(), await card('adyen', 'adyen_card_ok'), { amount: 12.345, currency: 'KWD' });
    expect(stripe.succeededCharges().map((c) => [c.amount, c.currency])).toEqual([[1500, 'jpy']]);
    expect(adyen.capturedPayments().map((p) => [p.amount, p.currency])).toEqual([
      [1500, 'JPY'],
      [12345, 'KWD'],
    ]);
  });

  describe('a decline never fails over', () => {
    it.each(STRIPE_DECLINING_CARDS)('stripe %s → declined %s, adyen never asked', async (token, code) => {
      const { chargeKey, result } = await charge(router(), await card('stripe', token, { adyen: 'adyen_card_ok' }));
      expect(result).toMatchObject({ kind: 'declined', code, hard: HARD_DECLINES.has(code) });
      expect(await attempts(chargeKey)).toMatchObject([{ provider: 'stripe', status: 'declined', declineCode: code }]);
      expect(adyen.requests).toHaveLength(0);
      expect(moneyMoved()).toEqual([]);
    });

    it.each(ADYEN_DECLINING_CARDS)('adyen %s → declined %s, stripe never asked', async (token, code) => {
      const { chargeKey, result } = await charge(router(), await card('adyen', token, { stripe: 'pm_card_visa' }));
      expect(result).toMatchObject({ kind: 'declined', code, hard: HARD_DECLINES.has(code) });
      expect(await attempts(chargeKey)).toMatchObject([{ provider: 'adyen', status: 'declined', declineCode: code }]);
      expect(stripe.requests).toHaveLength(0);
      expect(moneyMoved()).toEqual([]);
    });
  });

  describe('a fault before the provider processed anything: settled as not charged, then the fallback charges', () => {
    it.each(BEFORE_PROCESSING.flatMap((fault) => (['create', 'confirm'] as const).map((operation) => [fault, operation] as const)))(
      'stripe %s on %s → adyen charges',
      async (fault, operation) => {
        // The stripe SDK retries a reset connection once by itself, with the same idempotency key.
        stripe.failNext(fault, { operation, times: fault === 'reset_before' ? 2 : 1 });
        const { chargeKey, result } = await charge(router(), await card('stripe', 'pm_card_visa', { adyen: 'adyen_card_ok' }));
        expect(result).toMatchObject({ kind: 'succeeded', provider: 'adyen' });
        expect(await attempts(chargeKey)).toMatchObject([
          { sequence: 1, provider: 'stripe', status: 'failed', idempotencyKey: `${chargeKey}:1`, failure: expect.stringContaining('not charged') },
          { sequence: 2, provider: 'adyen', status: 'succeeded', idempotencyKey: `${chargeKey}:2` },
        ]);
        expect(moneyMoved()).toEqual([{ provider: 'adyen', reference: `${chargeKey}:2` }]);
        // No confirmable intent is left at stripe.
        expect([...stripe.intents.values()].every((i) => i.status === 'canceled')).toBe(true);
      },
    );

    it.each(BEFORE_PROCESSING)('adyen %s on the authorisation → stripe charges', async (fault) => {
      adyen.failNext(fault, { operation: 'payments' });
      const { chargeKey, result } = await charge(router(), await card('adyen', 'adyen_card_ok', { stripe: 'pm_card_visa' }));
      expect(result).toMatchObject({ kind: 'succeeded', provider: 'stripe' });
      expect(await attempts(chargeKey)).toMatchObject([
        { provider: 'adyen', status: 'failed' },
        { provider: 'stripe', status: 'succeeded' },
      ]);
      expect(adyen.cancels).toEqual([`${chargeKey}:1`]);
      expect(moneyMoved()).toEqual([{ provider: 'stripe', reference: `${chargeKey}:2` }]);
    });

    it('a stripe create that timed out after processing is found by replaying it, cancelled, and adyen charges', async () => {
      stripe.failNext('timeout_after', { operation: 'create' });
      const { chargeKey, result } = await charge(router(), await card('stripe', 'pm_card_visa', { adyen: 'adyen_card_ok' }));
      expect(result).toMatchObject({ kind: 'succeeded', provider: 'adyen' });
      expect(stripe.requests.filter((r) => r.operation === 'create').map((r) => [r.idempotencyKey, r.replayed])).toEqual([
        [`${chargeKey}:1:create`, false],
        [`${chargeKey}:1:create`, true],
      ]);
      expect([...stripe.intents.values()].map((i) => i.status)).toEqual(['canceled']);
      expect(moneyMoved()).toEqual([{ provider: 'adyen', reference: `${chargeKey}:2` }]);
    });
  });

  describe('a fault after the provider processed the charge: settle finds it, no failover, one charge', () => {
    it.each(AFTER_PROCESSING)('stripe %s on confirm → succeeded at stripe', async (fault) => {
      stripe.failNext(fault, { operation: 'confirm' });
      const { chargeKey, result } = await charge(router(), await card('stripe', 'pm_card_visa', { adyen: 'adyen_card_ok' }));
      expect(result).toMatchObject({ kind: 'succeeded', provider: 'stripe' });
      expect(await attempts(chargeKey)).toMatchObject([{ provider: 'stripe', status: 'succeeded', failure: expect.stringContaining('charged (pi_') }]);
      expect(adyen.requests).toHaveLength(0);
      expect(moneyMoved()).toEqual([{ provider: 'stripe', reference: `${chargeKey}:1` }]);
    });

    it.each(AFTER_PROCESSING)('adyen %s on capture → succeeded at adyen (the capture replayed)', async (fault) => {
      adyen.failNext(fault, { operation: 'captures' });
      const { chargeKey, result } = await charge(router(), await card('adyen', 'adyen_card_ok', { stripe: 'pm_card_visa' }));
      expect(result).toMatchObject({ kind: 'succeeded', provider: 'adyen' });
      expect(adyen.requests.filter((r) => r.operation === 'captures').map((r) => r.replayed)).toEqual([false, true]);
      expect(stripe.requests).toHaveLength(0);
      expect(moneyMoved()).toEqual([{ provider: 'adyen', reference: `${chargeKey}:1` }]);
    });

    it.each(AFTER_PROCESSING)('adyen %s on the authorisation → the uncaptured authorisation is cancelled, stripe charges: still one charge', async (fault) => {
      adyen.failNext(fault, { operation: 'payments' });
      const { chargeKey, result } = await charge(router(), await card('adyen', 'adyen_card_ok', { stripe: 'pm_card_visa' }));
      expect(result).toMatchObject({ kind: 'succeeded', provider: 'stripe' });
      expect(adyen.payments.map((p) => p.status)).toEqual(['cancelled']);
      expect(moneyMoved()).toEqual([{ provider: 'stripe', reference: `${chargeKey}:2` }]);
    });
  });

  it('every provider unavailable and proven uncharged → failed, nothing charged', async () => {
    stripe.failNext('error_503_before', { operation: 'confirm' });
    adyen.failNext('error_503_before', { operation: 'payments' });
    const { chargeKey, result } = await charge(router(), await card('stripe', 'pm_card_visa', { adyen: 'adyen_card_ok' }));
    expect(result).toMatchObject({ kind: 'failed', message: expect.stringContaining('stripe: server_error 503') });
    expect((await attempts(chargeKey)).map((a) => [a.provider, a.status])).toEqual([
      ['stripe', 'failed'],
      ['adyen', 'failed'],
    ]);
    expect(moneyMoved()).toEqual([]);
  });

  it('a card vaulted at one provider only has no failover', async () => {
    stripe.failNext('error_503_before', { operation: 'confirm' });
    const { chargeKey, result } = await charge(router(), await card('stripe', 'pm_card_visa'));
    expect(result).toMatchObject({ kind: 'failed' });
    expect(await attempts(chargeKey)).toHaveLength(1);
    expect(adyen.requests).toHaveLength(0);
  });

  it('routes by PAYMENT_PROVIDERS among the fallbacks, and skips a provider without credentials', async () => {
    const method = await card('stripe', 'pm_card_visa', { adyen: 'adyen_card_ok' });
    stripe.failNext('error_503_before', { operation: 'confirm' });
    const withoutAdyen = router({ ADYEN_API_KEY: '', ADYEN_MERCHANT_ACCOUNT: '' });
    expect((await charge(withoutAdyen, method)).result).toMatchObject({ kind: 'failed' });
    expect(adyen.requests).toHaveLength(0);

    const adyenOnly = router({ PAYMENT_PROVIDERS: 'adyen' });
    const { chargeKey, result } = await charge(adyenOnly, method);
    expect(result).toMatchObject({ kind: 'succeeded', provider: 'adyen' });
    expect(await attempts(chargeKey)).toMatchObject([{ sequence: 1, provider: 'adyen', idempotencyKey: `${chargeKey}:1` }]);
  });

  it('a provider that cannot say whether it charged holds the payment (no failover); reconcile settles it later', async () => {
    stripe.failNext('reset_before', { operation: 'confirm', times: 2 });
    stripe.failNext('reset_before', { operation: 'retrieve', times: 2 });
    const method = await card('stripe', 'pm_card_visa', { adyen: 'adyen_card_ok' });
    const { chargeKey, checkoutId, result } = await charge(router(), method);
    expect(result).toMatchObject({ kind: 'unknown' });
    expect(await attempts(chargeKey)).toMatchObject([{ provider: 'stripe', status: 'unknown', providerReference: expect.stringMatching(/^pi_/) }]);
    expect(adyen.requests).toHaveLength(0);

    // The same charge key is refused while an attempt is unsettled: no second attempt, no second charge.
    expect((await charge(router(), method, { chargeKey, checkoutId })).result).toMatchObject({ kind: 'unknown', message: expect.stringContaining('reconcile') });
    expect(await attempts(chargeKey)).toHaveLength(1);

    // Stripe is reachable again: the confirm never ran, so the intent is cancelled and nothing was charged.
    expect(await router().reconcile(chargeKey)).toEqual({ kind: 'not_charged' });
    expect(await attempts(chargeKey)).toMatchObject([{ status: 'failed', failure: expect.stringContaining('reconciled: not charged') }]);
    expect(moneyMoved()).toEqual([]);
  });

  describe('the per-card limit', () => {
    it('refuses without calling once the card had PAYMENT_MAX_ATTEMPTS_PER_CARD attempts in 30 days; failovers count', async () => {
      const limited = router({ PAYMENT_MAX_ATTEMPTS_PER_CARD: '3' });
      const method = await card('stripe', 'pm_card_chargeDeclined', { adyen: 'adyen_card_ok' });
      // An attempt older than 30 days does not count.
      const old = await checkout();
      await db.insert(paymentAttempts).values({
        checkoutId: old,
        chargeKey: randomUUID(),
        sequence: 1,
        paymentMethodId: method.id,
        provider: 'stripe',
        idempotencyKey: `${randomUUID()}:1`,
        amount: '1.0000',
        currency: 'USD',
        status: 'declined',
        startedAt: new Date(Date.now() - 31 * 24 * 3600 * 1000),
      });
      expect((await charge(limited, method)).result).toMatchObject({ kind: 'declined' });
      stripe.failNext('error_503_before', { operation: 'confirm' });
      expect((await charge(limited, method)).result).toMatchObject({ kind: 'succeeded', provider: 'adyen' });
      const requestsBefore = stripe.requests.length + adyen.requests.length;
      const { chargeKey, result } = await charge(limited, method);
      expect(result).toEqual({ kind: 'limit_reached' });
      expect(stripe.requests.length + adyen.requests.length).toBe(requestsBefore);
      expect(await attempts(chargeKey)).toEqual([]);
      // Another card of the same customer is not limited.
      expect((await charge(limited, await card('stripe', 'pm_card_visa'))).result).toMatchObject({ kind: 'succeeded' });
    });

    it('holds under concurrency: parallel charges on one card never exceed the limit', async () => {
      const limited = router({ PAYMENT_MAX_ATTEMPTS_PER_CARD: '2' });
      const method = await card('stripe', 'pm_card_visa');
      const results = await Promise.all(Array.from({ length: 6 }, () => charge(limited, method)));
      expect(results.filter((r) => r.result.kind === 'succeeded')).toHaveLength(2);
      expect(results.filter((r) => r.result.kind === 'limit_reached')).toHaveLength(4);
      expect(stripe.succeededCharges()).toHaveLength(2);
    });
  });

  it('a charge key that already succeeded returns its result without calling the provider again', async () => {
    const method = await card('stripe', 'pm_card_visa');
    const first = await charge(router(), method);
    const requests = stripe.requests.length;
    const again = await charge(router(), method, { chargeKey: first.chargeKey, checkoutId: first.checkoutId });
    expect(again.result).toEqual(first.result);
    expect(stripe.requests.length).toBe(requests);
    expect(stripe.succeededCharges()).toHaveLength(1);
  });

  it('concurrent charges with one charge key: one attempt, one charge', async () => {
    stripe.setLatency(100);
    try {
      const method = await card('stripe', 'pm_card_visa', { adyen: 'adyen_card_ok' });
      const checkoutId = await checkout();
      const chargeKey = randomUUID();
      const results = await Promise.all([charge(router(), method, { chargeKey, checkoutId }), charge(router(), method, { chargeKey, checkoutId })]);
      expect(results.map((r) => r.result.kind).sort()).toEqual(['succeeded', 'unknown']);
      expect(await attempts(chargeKey)).toHaveLength(1);
      expect(moneyMoved()).toHaveLength(1);
    } finally {
      stripe.setLatency(0);
    }
  });

  describe('reconcile after a crash (a fresh router, as after a restart)', () => {
    /** The process dies right after the provider answered, before the router recorded anything. */
    const crashAfterCharge = (provider: PaymentProvider): PaymentProvider => ({
      name: provider.name,
      settle: (request) => provider.settle(request),
      charge: async (request) => {
        await provider.charge(request);
        throw new Error('simulated crash');
      },
    });
    /** The process dies once the provider's reference is stored, before the step that moves money. */
    const crashAfterRecording = (provider: PaymentProvider): PaymentProvider => ({
      name: provider.name,
      settle: (request) => provider.settle(request),
      charge: (request) =>
        provider.charge({
          ...request,
          recordReference: async (reference) => {
            await request.recordReference(reference);
            throw new Error('simulated crash');
          },
        }),
    });

    it.each([
      ['stripe', 'pm_card_visa'],
      ['adyen', 'adyen_card_ok'],
    ] as const)('%s charged, then the crash: reconcile finds the charge and records it; nothing is charged twice', async (provider, token) => {
      const method = await card(provider, token);
      await expect(charge(router({}, crashAfterCharge), method)).rejects.toThrow('simulated crash');
      const [pending] = await db.select().from(paymentAttempts).where(eq(paymentAttempts.paymentMethodId, method.id));
      expect(pending).toMatchObject({ status: 'pending', provider, providerReference: expect.any(String), finishedAt: null });
      expect(moneyMoved()).toHaveLength(1);

      const result = await router().reconcile(pending.chargeKey);
      expect(result).toEqual({ kind: 'succeeded', provider, providerReference: pending.providerReference });
      expect(await attempts(pending.chargeKey)).toMatchObject([{ status: 'succeeded', failure: expect.stringContaining('reconciled') }]);
      expect(moneyMoved()).toEqual([{ provider, reference: pending.idempotencyKey }]);
      // Reconciling again changes nothing.
      expect(await router().reconcile(pending.chargeKey)).toEqual(result);
      expect(moneyMoved()).toHaveLength(1);
    });

    it('stripe: a crash between create and confirm → not charged, the intent cancelled', async () => {
      const method = await card('stripe', 'pm_card_visa');
      await expect(charge(router({}, crashAfterRecording), method)).rejects.toThrow('simulated crash');
      const [pending] = await db.select().from(paymentAttempts).where(eq(paymentAttempts.paymentMethodId, method.id));
      expect(await router().reconcile(pending.chargeKey)).toEqual({ kind: 'not_charged' });
      expect(stripe.intents.get(pending.providerReference!)?.status).toBe('canceled');
      expect(moneyMoved()).toEqual([]);
    });

    it('adyen: a crash between authorisation and capture → the approved authorisation is captured: charged once', async () => {
      const method = await card('adyen', 'adyen_card_ok');
      await expect(charge(router({}, crashAfterRecording), method)).rejects.toThrow('simulated crash');
      const [pending] = await db.select().from(paymentAttempts).where(eq(paymentAttempts.paymentMethodId, method.id));
      expect(moneyMoved()).toEqual([]);
      expect(await router().reconcile(pending.chargeKey)).toEqual({ kind: 'succeeded', provider: 'adyen', providerReference: pending.providerReference });
      expect(moneyMoved()).toEqual([{ provider: 'adyen', reference: pending.idempotencyKey }]);
    });

    it('a crash before any provider reference was stored → not charged', async () => {
      const method = await card('adyen', 'adyen_card_ok');
      const checkoutId = await checkout();
      const chargeKey = randomUUID();
      // The row as `open` commits it, and no provider call made.
      await db.insert(paymentAttempts).values({ checkoutId, chargeKey, sequence: 1, paymentMethodId: method.id, provider: 'adyen', idempotencyKey: `${chargeKey}:1`, amount: '5.0000', currency: 'EUR', status: 'pending', startedAt: new Date() });
      expect(await router().reconcile(chargeKey)).toEqual({ kind: 'not_charged' });
      expect(adyen.cancels).toEqual([`${chargeKey}:1`]);
      expect(await router().reconcile(randomUUID())).toEqual({ kind: 'not_charged' });
    });
  });
});
