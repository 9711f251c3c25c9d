import { Inject, Injectable, Logger } from '@nestjs/common';
import { asc, eq } from 'drizzle-orm';
import { Pool } from 'pg';
import { paymentAttempts, type PaymentAttemptRow, type PaymentAttemptStatus } from '../../models/checkout-sessions';
import { paymentMethods, type PaymentMethodRow } from '../../models/profiles';
import { CLOCK, Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DATABASE, Database, PG_POOL } from '../database/database';
import { inTransaction } from '../database/transaction';
import { afterCharge, afterSettle } from './failover-policy';
import { formatMajorUnits, toMinorUnits } from './minor-units';
import type { ChargeOutcome, ChargeStatus, DeclineCode, PaymentProvider, PaymentProviderName, SettleRequest } from './payment-provider';

/** The enabled providers, in routing order (PAYMENT_PROVIDERS restricted to those with credentials). */
export const PAYMENT_PROVIDER_LIST = Symbol('PAYMENT_PROVIDER_LIST');

export interface ChargeInput {
  checkoutId: string;
  /** One per `complete` that takes the payment; every attempt's idempotency key is `<charge key>:<sequence>`. */
  chargeKey: string;
  paymentMethod: PaymentMethodRow;
  /** Major units (19.99 USD, 1500 JPY). */
  amount: number;
  currency: string;
  /** Defaults to the payment method's owner. */
  customerRef?: string;
  metadata: Record<string, string>;
}

export type ChargeResult =
  | { kind: 'succeeded'; provider: PaymentProviderName; providerReference: string; attemptId: string }
  | { kind: 'declined'; code: DeclineCode; hard: boolean; message: string }
  /** Every provider tried was unavailable and each is proven not to have charged. */
  | { kind: 'failed'; message: string }
  /** Whether money moved could not be established: hold the checkout for `reconcile`. */
  | { kind: 'unknown'; message: string }
  /** The card reached PAYMENT_MAX_ATTEMPTS_PER_CARD attempts in 30 days: no provider was called. */
  | { kind: 'limit_reached' };

export type ReconcileResult = { kind: 'succeeded'; provider: PaymentProviderName; providerReference: string } | { kind: 'not_charged' } | { kind: 'unknown' };

const CARD_WINDOW_MS = 30 * 24 * 3600 * 1000;

type Opened = { kind: 'opened'; attempt: PaymentAttemptRow } | { kind: 'done'; result: ChargeResult };

/**
 * Takes one payment across the configured providers: the card's own provider first, then each other provider the
 * card is vaulted at. Every attempt is a `payment_attempts` row committed as `pending` before the provider is
 * called. A decline ends the payment; only an unavailable provider that settles as "not charged" lets the next
 * one try.
 */
@Injectable()
export class PaymentRouter {
  private readonly logger = new Logger(PaymentRouter.name);

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PAYMENT_PROVIDER_LIST) private readonly providers: PaymentProvider[],
  ) {}

  async charge(input: ChargeInput): Promise<ChargeResult> {
    const amountMinor = toMinorUnits(input.amount, input.currency);
    const route = this.route(input.paymentMethod);
    if (route.length === 0) return { kind: 'failed', message: `no configured payment provider holds this card (${input.paymentMethod.provider})` };
    const failures: string[] = [];
    for (const { provider, token } of route) {
      const opened = await this.open(input, provider.name);
      if (opened.kind === 'done') return opened.result;
      const { attempt } = opened;
      let recordedReference: string | undefined;
      const request = {
        idempotencyKey: attempt.idempotencyKey,
        amountMinor,
        currency: input.currency,
        token,
        customerRef: input.customerRef ?? input.paymentMethod.customerRef,
        metadata: { ...input.metadata, checkout_id: input.checkoutId, charge_key: input.chargeKey },
      };
      const outcome = await provider.charge({
        ...request,
        recordReference: async (reference) => {
          await this.db.update(paymentAttempts).set({ providerReference: reference }).where(eq(paymentAttempts.id, attempt.id));
          recordedReference = reference;
        },
      });
      const next = afterCharge(outcome);
      if (next.action === 'accept') {
        await this.finish(attempt.id, 'succeeded', { providerReference: next.providerReference });
        return { kind: 'succeeded', provider: provider.name, providerReference: next.providerReference, attemptId: attempt.id };
      }
      if (next.action === 'decline') {
        const declined = outcome as Extract<ChargeOutcome, { kind: 'declined' }>;
        await this.finish(attempt.id, 'declined', { declineCode: next.code, failure: `${declined.providerCode}: ${declined.message}`, providerReference: declined.providerReference ?? recordedReference });
        return { kind: 'declined', code: next.code, hard: next.hard, message: declined.message };
      }
      const unavailable = outcome as Extract<ChargeOutcome, { kind: 'unavailable' }>;
      const status = await this.settle(provider, { ...request, providerReference: recordedReference });
      const settled = afterSettle(status);
      const failure = `${unavailable.fault}${unavailable.status ? ` ${unavailable.status}` : ''}: ${unavailable.message}; settled: ${describeStatus(status)}`;
      if (settled.action === 'accept') {
        await this.finish(attempt.id, 'succeeded', { providerReference: settled.providerReference, failure });
        return { kind: 'succeeded', provider: provider.name, providerReference: settled.providerReference, attemptId: attempt.id };
      }
      if (settled.action === 'hold') {
        await this.finish(attempt.id, 'unknown', { failure, providerReference: recordedReference });
        this.logger.warn(`charge ${input.chargeKey}: ${provider.name} attempt ${attempt.sequence} is unsettled (${failure}); held for reconciliation`);
        return { kind: 'unknown', message: `${provider.name} did not confirm whether it charged: ${failure}` };
      }
      await this.finish(attempt.id, 'failed', { failure, providerReference: recordedReference });
      failures.push(`${provider.name}: ${failure}`);
      this.logger.warn(`charge ${input.chargeKey}: ${provider.name} unavailable and not charged; ${route.length > failures.length ? 'failing over' : 'no provider left'}`);
    }
    return { kind: 'failed', message: failures.join(' | ') };
  }

  /**
   * Settles a charge's attempts left `pending` (a crash mid-call) or `unknown` (a provider that could not say), from
   * the providers' own records, and says whether the charge stands.
   */
  async reconcile(chargeKey: string): Promise<ReconcileResult> {
    const attempts = await this.db.select().from(paymentAttempts).where(eq(paymentAttempts.chargeKey, chargeKey)).orderBy(asc(paymentAttempts.sequence));
    const charged = attempts.find((a) => a.status === 'succeeded');
    if (charged) return { kind: 'succeeded', provider: charged.provider as PaymentProviderName, providerReference: charged.providerReference! };
    let result: ReconcileResult = { kind: 'not_charged' };
    for (const attempt of attempts.filter((a) => a.status === 'pending' || a.status === 'unknown')) {
      const status = await this.settleStored(attempt);
      if (status.kind === 'charged') {
        await this.finish(attempt.id, 'succeeded', { providerReference: status.providerReference, failure: `reconciled: ${describeStatus(status)}` });
        return { kind: 'succeeded', provider: attempt.provider as PaymentProviderName, providerReference: status.providerReference };
      }
      if (status.kind === 'not_charged') await this.finish(attempt.id, 'failed', { failure: `reconciled: ${describeStatus(status)}` });
      else {
        await this.finish(attempt.id, 'unknown', { failure: `reconciled: ${describeStatus(status)}` });
        result = { kind: 'unknown' };
      }
    }
    return result;
  }

  /** The card's own provider first (if enabled), then the configured order among the others it is vaulted at. */
  private route(method: PaymentMethodRow): { provider: PaymentProvider; token: string }[] {
    const route: { provider: PaymentProvider; token: string }[] = [];
    const primary = this.providers.find((p) => p.name === method.provider);
    if (primary) route.push({ provider: primary, token: method.token });
    for (const provider of this.providers) {
      const token = method.fallbackTokens?.[provider.name];
      if (provider !== primary && token) route.push({ provider, token });
    }
    return route;
  }

  /**
   * Commits the next attempt as `pending`, or says why there is none: the charge already succeeded or is unsettled,
   * or the card is at its limit. Serialised per charge key and per card, so concurrent calls cannot both pass.
   */
  private open(input: ChargeInput, provider: PaymentProviderName): Promise<Opened> {
    return inTransaction(this.pool, async ({ client, db }) => {
      // Charge key first, then card, in one round trip.
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 1)), pg_advisory_xact_lock(hashtextextended($2, 1))`, [`charge:${input.chargeKey}`, `card:${input.paymentMethod.id}`]);
      const earlier = await db.select().from(paymentAttempts).where(eq(paymentAttempts.chargeKey, input.chargeKey));
      const succeeded = earlier.find((a) => a.status === 'succeeded');
      if (succeeded) {
        return { kind: 'done', result: { kind: 'succeeded', provider: succeeded.provider as PaymentProviderName, providerReference: succeeded.providerReference!, attemptId: succeeded.id } };
      }
      if (earlier.some((a) => a.status === 'pending' || a.status === 'unknown')) {
        return { kind: 'done', result: { kind: 'unknown', message: `charge ${input.chargeKey} has an attempt in flight or unsettled; reconcile it first` } };
      }
      const now = this.clock.now();
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM payment_attempts WHERE payment_method_id = $1 AND started_at > $2`, [
        input.paymentMethod.id,
        new Date(now.getTime() - CARD_WINDOW_MS),
      ]);
      if (rows[0].n >= this.config.payments.maxAttemptsPerCard) return { kind: 'done', result: { kind: 'limit_reached' } };
      const sequence = earlier.reduce((max, a) => Math.max(max, a.sequence), 0) + 1;
      const [attempt] = await db
        .insert(paymentAttempts)
        .values({
          checkoutId: input.checkoutId,
          chargeKey: input.chargeKey,
          sequence,
          paymentMethodId: input.paymentMethod.id,
          provider,
          idempotencyKey: `${input.chargeKey}:${sequence}`,
          amount: formatMajorUnits(input.amount, input.currency),
          currency: input.currency.toUpperCase(),
          status: 'pending',
          startedAt: now,
        })
        .returning();
      return { kind: 'opened', attempt };
    });
  }

  private async settle(provider: PaymentProvider, request: SettleRequest): Promise<ChargeStatus> {
    try {
      return await provider.settle(request);
    } catch (error) {
      return { kind: 'unknown', message: `settling failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** Rebuilds what the attempt sent from its row and its card, and asks the provider. */
  private async settleStored(attempt: PaymentAttemptRow): Promise<ChargeStatus> {
    const provider = this.providers.find((p) => p.name === attempt.provider);
    if (!provider) return { kind: 'unknown', message: `${attempt.provider} is not configured, so it cannot be asked` };
    const [method] = attempt.paymentMethodId ? await this.db.select().from(paymentMethods).where(eq(paymentMethods.id, attempt.paymentMethodId)) : [];
    return this.settle(provider, {
      idempotencyKey: attempt.idempotencyKey,
      amountMinor: toMinorUnits(Number(attempt.amount), attempt.currency),
      currency: attempt.currency,
      token: method ? (method.provider === attempt.provider ? method.token : (method.fallbackTokens?.[attempt.provider] ?? '')) : '',
      customerRef: method?.customerRef,
      metadata: { checkout_id: attempt.checkoutId, charge_key: attempt.chargeKey },
      providerReference: attempt.providerReference ?? undefined,
    });
  }

  private async finish(
    attemptId: string,
    status: PaymentAttemptStatus,
    fields: { providerReference?: string | null; declineCode?: string; failure?: string },
  ): Promise<void> {
    await this.db
      .update(paymentAttempts)
      .set({ status, ...fields, finishedAt: this.clock.now() })
      .where(eq(paymentAttempts.id, attemptId));
  }
}

function describeStatus(status: ChargeStatus): string {
  switch (status.kind) {
    case 'charged':
      return `charged (${status.providerReference})`;
    case 'not_charged':
      return status.note ? `not charged (${status.note})` : 'not charged';
    case 'unknown':
      return `unknown (${status.message})`;
  }
}
