import { ConflictException, Inject, Injectable, Logger } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { Pool } from 'pg';
import { checkoutSessions, type CheckoutSessionRow, type PaymentMethodRow } from '../../../models';
import { CLOCK, type Clock } from '../../common/clock';
import { PG_POOL } from '../../database/database';
import { inTransaction, type TransactionScope } from '../../database/transaction';
import { DiscountRedemptionService, redeemWithin } from '../../discounts/discount-redemption.service';
import { PaymentRouter } from '../../payments/payment-router';
import type { PostalAddress } from '../addresses/address';
import { ProfilesService } from '../profiles/profiles.service';
import type { CompleteInput } from '../sessions/checkout-input';
import { CheckoutSessionsService, totalsOf, type SessionDetails } from '../sessions/checkout-sessions.service';
import { derivedEventId } from '../sessions/session-events';
import type { CheckoutTotals } from '../sessions/totals';
import { claimKey, releaseKey, requestHash, requestInProgress, storeAnswer, type StoredAnswer } from './idempotency';

/** What a charge that went through tells the order. */
export interface PaidWith {
  provider: string;
  providerReference: string | null;
}

interface ChargePlan {
  session: CheckoutSessionRow;
  checkoutRef: string;
  card: PaymentMethodRow;
  totals: CheckoutTotals;
  chargeKey: string;
}

/** A payment that one `complete` owns: what reopening its checkout needs. */
export interface ChargeInFlight {
  checkoutId: string;
  publicId: string;
  /** The checkout's id in events. */
  checkoutRef: string;
  chargeKey: string;
}

const inFlight = (plan: ChargePlan): ChargeInFlight => ({ checkoutId: plan.session.checkoutId, publicId: plan.session.publicId, checkoutRef: plan.checkoutRef, chargeKey: plan.chargeKey });

const WAIT_FOR_WINNER_MS = 15_000;

/**
 * `complete`: exactly one charge per checkout. The first caller moves the session from `open` to `charging`
 * under its row lock and owns the payment; concurrent callers wait for its answer (or get 409). The order,
 * the `order_completed` event (suppression and attribution) and the code's redemption commit together after the
 * provider's success; a crash in between is settled by the reconciler from the provider's own record.
 */
@Injectable()
export class CheckoutCompletionService {
  private readonly logger = new Logger(CheckoutCompletionService.name);

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly sessions: CheckoutSessionsService,
    private readonly profiles: ProfilesService,
    private readonly discounts: DiscountRedemptionService,
    private readonly router: PaymentRouter,
  ) {}

  async complete(sourceId: string, publicId: string, input: CompleteInput, idempotencyKey?: string): Promise<StoredAnswer> {
    const current = await this.sessions.details(sourceId, publicId);
    if (!idempotencyKey) return this.run(sourceId, publicId, input, current);
    const hash = requestHash(`POST /v1/checkouts/${publicId}/complete`, input);
    for (let delay = 25, deadline = Date.now() + WAIT_FOR_WINNER_MS; ; delay = Math.min(delay * 2, 500)) {
      const claim = await claimKey(this.pool, sourceId, idempotencyKey, hash, current.session.checkoutId);
      if (claim.kind === 'replay') return claim.answer;
      if (claim.kind === 'claimed') break;
      if (Date.now() > deadline) throw requestInProgress();
      await sleep(delay);
    }
    let answer: StoredAnswer;
    try {
      answer = await this.run(sourceId, publicId, input, current);
    } catch (error) {
      await releaseKey(this.pool, sourceId, idempotencyKey);
      throw error;
    }
    if (isFinal(answer)) await storeAnswer(this.pool, sourceId, idempotencyKey, answer);
    else await releaseKey(this.pool, sourceId, idempotencyKey);
    return answer;
  }

  private async run(sourceId: string, publicId: string, input: CompleteInput, first: SessionDetails): Promise<StoredAnswer> {
    const plan = await this.take(sourceId, publicId, input, first);
    if ('answer' in plan) return plan.answer;
    const outcome =
      plan.totals.total === 0
        ? ({ kind: 'succeeded', provider: 'none', providerReference: null } as const)
        : await this.router
            .charge({
              checkoutId: plan.session.checkoutId,
              chargeKey: plan.chargeKey,
              paymentMethod: plan.card,
              amount: plan.totals.total,
              currency: plan.totals.currency,
              customerRef: plan.session.customerRef ?? undefined,
              metadata: { checkout: plan.session.publicId, source: sourceId },
            })
            .catch((error: Error) => {
              this.logger.error(`charging ${publicId} failed unexpectedly: ${error.message}`);
              return { kind: 'unknown', message: 'the payment could not be confirmed' } as const;
            });
    switch (outcome.kind) {
      case 'succeeded':
        return this.finish(sourceId, plan.session.publicId, plan.chargeKey, { provider: outcome.provider, providerReference: outcome.providerReference });
      case 'declined':
        return this.reopen(sourceId, inFlight(plan), 402, { error: 'payment_declined', code: outcome.code, hard: outcome.hard, message: outcome.message });
      case 'limit_reached':
        return this.reopen(sourceId, inFlight(plan), 402, { error: 'payment_attempts_exceeded', message: 'this card has had too many payment attempts in the last 30 days; use another card' });
      case 'failed':
        return this.reopen(sourceId, inFlight(plan), 502, { error: 'payment_unavailable', message: `no payment provider could take the payment; nothing was charged. ${outcome.message}` });
      case 'unknown':
        return { status: 202, body: { error: 'payment_pending', id: publicId, status: 'charging', message: 'the payment provider did not confirm the payment; it is being reconciled and will never be charged twice. Fetch the checkout to see the outcome.' } };
    }
  }

  /** Under the row lock: the winner's stored answer, a wait for a payment in flight, or this call's charge plan. */
  private async take(sourceId: string, publicId: string, input: CompleteInput, first: SessionDetails): Promise<ChargePlan | { answer: StoredAnswer }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      // Planned from a plain read (profile and code lookups use other pooled connections), taken by one conditional
      // statement only if the checkout did not change meanwhile; a change means reading it again.
      const current = attempt === 0 ? first : await this.sessions.details(sourceId, publicId);
      if (current.session.state === 'completed') return { answer: { status: 200, body: current.session.result as Record<string, unknown> } };
      if (current.session.state === 'charging') return { answer: await this.awaitWinner(sourceId, publicId) };
      const plan = await this.plan(sourceId, current, input);
      if ('answer' in plan) return plan;
      // One statement takes the payment: only from `open`, and only if nothing changed since the plan was read.
      const { rowCount } = await this.pool.query(
        `UPDATE checkout_sessions SET state = 'charging', charge_key = $3, charging_since = $4, payment_method_id = $5, shipping_address = $6, updated_at = $4
          WHERE checkout_id = $1 AND version = $2 AND state = 'open'`,
        [current.session.checkoutId, current.session.version, plan.chargeKey, this.clock.now(), plan.card.id, JSON.stringify(plan.session.shippingAddress)],
      );
      const taken: ChargePlan | 'changed' = rowCount === 1 ? plan : 'changed';
      if (taken !== 'changed') return taken;
    }
    throw new ConflictException({ error: 'concurrent_change', message: `checkout ${publicId} kept changing under this request; retry it` });
  }

  /** Another request owns the payment: its answer once it lands (read without locks, backing off), else 409. */
  private async awaitWinner(sourceId: string, publicId: string): Promise<StoredAnswer> {
    for (let delay = 25, deadline = Date.now() + WAIT_FOR_WINNER_MS; Date.now() < deadline; delay = Math.min(delay * 2, 500)) {
      await sleep(delay);
      const { rows } = await this.pool.query<{ state: string; result: Record<string, unknown> | null }>(`SELECT state, result FROM checkout_sessions WHERE public_id = $1 AND source_id = $2`, [publicId, sourceId]);
      if (rows[0]?.state === 'completed') return { status: 200, body: rows[0].result ?? {} };
      if (rows[0]?.state === 'open') {
        return { status: 409, body: { error: 'payment_failed_elsewhere', message: `another request's payment for checkout ${publicId} did not go through; fetch the checkout and try again` } };
      }
    }
    throw new ConflictException({ error: 'payment_in_progress', message: `checkout ${publicId} is being paid by another request; fetch it to see the outcome` });
  }

  /** Fills what the request leaves out from the checkout, then the profile's defaults; checks the price the shopper saw. */
  private async plan(sourceId: string, current: SessionDetails, input: CompleteInput): Promise<ChargePlan | { answer: StoredAnswer }> {
    const { session } = current;
    const owner = session.customerRef ? { sourceId, customerRef: session.customerRef } : null;
    const chosenCard = current.paymentMethod && !current.paymentMethod.removedAt ? current.paymentMethod : null;
    const needsDefaults = owner !== null && ((!input.payment_method_id && !chosenCard) || (!input.saved_address_id && !session.shippingAddress));
    const defaults = needsDefaults ? await this.profiles.defaults(owner) : {};
    const card = input.payment_method_id
      ? await this.sessions.usableCard(sourceId, session, input.payment_method_id)
      : (chosenCard ?? defaults.paymentMethod ?? null);
    let address: PostalAddress | null = input.saved_address_id ? await this.sessions.savedAddress(sourceId, session, input.saved_address_id) : session.shippingAddress;
    address ??= defaults.address?.address ?? null;
    const missing = [...(card ? [] : ['payment_method']), ...(address ? [] : ['shipping_address'])];
    if (missing.length > 0) {
      return { answer: { status: 422, body: { error: 'checkout_incomplete', missing, message: `the checkout cannot be completed without: ${missing.join(', ')}` } } };
    }
    const totals = totalsOf(session);
    if (session.discountCode) {
      const verdict = await this.discounts.validate(sourceId, { code: session.discountCode, checkoutId: current.checkoutRef, customerId: session.customerRef ?? undefined, cartValue: totals.subtotal, shippingValue: totals.shipping }, this.clock.now());
      if (!verdict.valid) return { answer: { status: 409, body: { error: 'discount_refused', reason: verdict.reason, message: `the discount code ${session.discountCode} can no longer be used: ${verdict.message}. Remove it to continue.` } } };
    }
    if (input.expected_total !== undefined && Math.abs(input.expected_total - totals.total) > 1e-9) {
      return { answer: { status: 409, body: { error: 'price_changed', message: `the total is now ${totals.total} ${totals.currency}, not ${input.expected_total}; nothing was charged`, totals } } };
    }
    return { session: { ...session, shippingAddress: address }, checkoutRef: current.checkoutRef, card: card!, totals, chargeKey: crypto.randomUUID() };
  }

  /**
   * Records the paid order: the `order_completed` event through the ingestion transaction (projection,
   * suppression of every pending reminder, attribution), the code's redemption and the session's answer, in one
   * transaction. Idempotent: the reconciler may run it for a charge the request already finished.
   */
  async finish(sourceId: string, publicId: string, chargeKey: string, paid: PaidWith): Promise<StoredAnswer> {
    const answer = await inTransaction(this.pool, async (scope) => {
      const current = await this.sessions.load(scope, sourceId, publicId, true);
      const { session } = current;
      if (session.state === 'completed') return { status: 200, body: session.result as Record<string, unknown> };
      if (session.chargeKey !== chargeKey) throw new Error(`checkout ${session.publicId} is no longer paying with charge ${chargeKey}`);
      const totals = totalsOf(session);
      const orderId = `or_${session.publicId.slice(3)}`;
      const at = this.clock.now();
      await this.sessions.record(scope, sourceId, {
        type: 'order_completed',
        eventId: derivedEventId(`order:${chargeKey}`),
        checkoutRef: current.checkoutRef,
        orderId,
        revenue: totals.total,
        cart: session.cart,
        customer: { id: session.customerRef ?? undefined, ...session.contact },
        properties: { currency: totals.currency, payment_provider: paid.provider },
        occurredAt: at,
      });
      if (session.discountCode) await this.redeem(scope, sourceId, session, current.checkoutRef, orderId, totals, at);
      const body = completedView(session, orderId, totals, paid, current.paymentMethod, at);
      await scope.db.update(checkoutSessions).set({ state: 'completed', orderId, result: body, completedAt: at, updatedAt: at }).where(eq(checkoutSessions.checkoutId, session.checkoutId));
      return { status: 200, body };
    });
    return answer;
  }

  /** For the reconciler: records the order a crashed request paid for, and answers that request's key with it. */
  async finishInterrupted(sourceId: string, checkoutId: string, publicId: string, chargeKey: string, paid: PaidWith): Promise<StoredAnswer> {
    const answer = await this.finish(sourceId, publicId, chargeKey, paid);
    await this.pool.query(`UPDATE idempotency_keys SET status = 200, response = $2, completed_at = now() WHERE checkout_id = $1 AND status IS NULL`, [checkoutId, answer.body]);
    return answer;
  }

  /** A payment that did not go through: the checkout opens again, and the funnel sees a payment error. */
  async reopen(sourceId: string, charge: ChargeInFlight, status: number, body: Record<string, unknown>): Promise<StoredAnswer> {
    await inTransaction(this.pool, async (scope) => {
      const updated = await scope.client.query(`UPDATE checkout_sessions SET state = 'open', charge_key = NULL, charging_since = NULL, updated_at = now() WHERE checkout_id = $1 AND charge_key = $2`, [charge.checkoutId, charge.chargeKey]);
      if (updated.rowCount === 1) {
        await this.sessions.record(scope, sourceId, { type: 'payment_failed', checkoutRef: charge.checkoutRef, properties: { code: String(body.code ?? body.error), message: String(body.message) } });
      }
    });
    return { status, body: { ...body, id: charge.publicId, status: 'open' } };
  }

  private async redeem(scope: TransactionScope, sourceId: string, session: CheckoutSessionRow, checkoutRef: string, orderId: string, totals: CheckoutTotals, at: Date) {
    const result = await redeemWithin(scope.db, sourceId, { code: session.discountCode!, orderId, checkoutId: checkoutRef, customerId: session.customerRef ?? undefined, cartValue: totals.subtotal, shippingValue: totals.shipping }, at);
    // The shopper was charged the discounted total; a code lost to a race since is honoured, and logged.
    if (!result.ok) this.logger.warn(`order ${orderId}: code ${session.discountCode} was honoured but could not be redeemed (${result.refusal.reason})`);
  }
}

function completedView(session: CheckoutSessionRow, orderId: string, totals: CheckoutTotals, paid: PaidWith, card: PaymentMethodRow | null, at: Date) {
  return {
    id: session.publicId,
    status: 'completed',
    order_id: orderId,
    totals,
    discount_code: session.discountCode,
    payment: { provider: paid.provider, reference: paid.providerReference, brand: card?.brand ?? null, last4: card?.last4 ?? null },
    completed_at: at.toISOString(),
  };
}

/** Answers that stand for good; a pending or unavailable payment may be retried under the same key. */
function isFinal(answer: StoredAnswer): boolean {
  return answer.status < 500 && answer.status !== 202;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
