import { ConflictException, Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import { Pool } from 'pg';
import { checkoutSessions, checkouts, paymentMethods, type CartSnapshot, type CheckoutSessionRow, type PaymentMethodRow } from '../../../models';
import { CLOCK, type Clock } from '../../common/clock';
import { DATABASE, type Database, PG_POOL } from '../../database/database';
import { inTransaction, type TransactionScope } from '../../database/transaction';
import { DiscountRedemptionService } from '../../discounts/discount-redemption.service';
import { cartSnapshot } from '../../ingestion/cart';
import { storeEventsWithin } from '../../ingestion/ingest-transaction';
import type { PostalAddress } from '../addresses/address';
import { ProfilesService } from '../profiles/profiles.service';
import type { CreateCheckoutInput } from './checkout-input';
import { sessionEvent, type SessionStep } from './session-events';
import { checkoutTotals, type CheckoutTotals } from './totals';

export interface SessionDetails {
  session: CheckoutSessionRow;
  /** The checkout's id in events (its external id). */
  checkoutRef: string;
  paymentMethod: PaymentMethodRow | null;
  totals: CheckoutTotals;
}

type Change = Partial<Pick<CheckoutSessionRow, 'cart' | 'contact' | 'shippingAddress' | 'shippingMethod' | 'paymentMethodId' | 'discountCode' | 'discountValue'>>;

/**
 * API checkouts: a session row beside the checkout projection. Every step changes the row and records the
 * step's event through the ingestion pipeline's own transaction code, atomically, so funnels and abandonment
 * see API checkouts like posted ones.
 */
@Injectable()
export class CheckoutSessionsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly profiles: ProfilesService,
    private readonly discounts: DiscountRedemptionService,
  ) {}

  async create(sourceId: string, input: CreateCheckoutInput): Promise<SessionDetails> {
    const publicId = `co_${crypto.randomUUID().replace(/-/g, '')}`;
    const cart = cartSnapshot(input.cart.items, input.cart.currency);
    const owner = input.customer_id ? { sourceId, customerRef: input.customer_id } : null;
    const defaults = owner && input.use_profile_defaults !== false ? await this.profiles.defaults(owner) : {};
    const now = this.clock.now();
    await inTransaction(this.pool, async (scope) => {
      await this.record(scope, sourceId, {
        type: 'checkout_started',
        checkoutRef: publicId,
        occurredAt: now,
        customer: { id: input.customer_id, email: input.email, phone: input.phone },
        cart,
      });
      const id = await checkoutIdOf(scope, sourceId, publicId);
      await scope.db.insert(checkoutSessions).values({
        checkoutId: id,
        sourceId,
        publicId,
        customerRef: input.customer_id ?? null,
        cart,
        contact: { ...(input.email ? { email: input.email } : {}), ...(input.phone ? { phone: input.phone } : {}) },
        shippingAddress: defaults.address?.address ?? null,
        paymentMethodId: defaults.paymentMethod?.id ?? null,
      });
    });
    return this.details(sourceId, publicId);
  }

  /**
   * The session of a checkout the storefront reported through events (a reminder's link opens it): created on
   * first use from the latest cart the storefront reported and the customer's saved defaults; the same one after.
   */
  async adopt(checkout: { id: string; sourceId: string; cart: CartSnapshot; customerRef: string | null; contact: { email?: string; phone?: string } }): Promise<SessionDetails> {
    const existing = await this.ofCheckout(checkout.id);
    if (existing) return existing;
    const defaults = checkout.customerRef ? await this.profiles.defaults({ sourceId: checkout.sourceId, customerRef: checkout.customerRef }) : {};
    await this.db
      .insert(checkoutSessions)
      .values({
        checkoutId: checkout.id,
        sourceId: checkout.sourceId,
        publicId: `co_${crypto.randomUUID().replace(/-/g, '')}`,
        customerRef: checkout.customerRef,
        cart: checkout.cart,
        contact: checkout.contact,
        shippingAddress: defaults.address?.address ?? null,
        paymentMethodId: defaults.paymentMethod?.id ?? null,
      })
      // Two first opens at once: one row wins, both read it.
      .onConflictDoNothing();
    return (await this.ofCheckout(checkout.id))!;
  }

  /** The session by its public id, or 404; another source's checkouts do not exist for this one. */
  async details(sourceId: string, publicId: string): Promise<SessionDetails> {
    return this.load({ db: this.db }, sourceId, publicId, false);
  }

  setContact(sourceId: string, publicId: string, contact: { email?: string; phone?: string }) {
    return this.change(sourceId, publicId, (d) => ({
      change: { contact: { ...d.session.contact, ...contact } },
      step: { type: 'contact_entered', customer: { id: d.session.customerRef ?? undefined, ...contact } },
    }));
  }

  setShippingAddress(sourceId: string, publicId: string, choice: { address?: PostalAddress; savedAddressId?: string }) {
    return this.change(sourceId, publicId, async (d) => {
      const address = choice.savedAddressId ? await this.savedAddress(sourceId, d.session, choice.savedAddressId) : choice.address!;
      return { change: { shippingAddress: address }, step: { type: 'shipping_entered', properties: { shipping_country: address.countryCode } } };
    });
  }

  /** A saved address of this checkout's customer, or a 422 naming `saved_address_id`. */
  async savedAddress(sourceId: string, session: CheckoutSessionRow, id: string): Promise<PostalAddress> {
    const saved = session.customerRef ? await this.profiles.address({ sourceId, customerRef: session.customerRef }, id) : undefined;
    if (!saved) throw unprocessable('saved_address_id', `no saved address ${id} for this checkout's customer`);
    return saved.address;
  }

  /** The latest cart the storefront reported, for a checkout opened from a reminder; a code's value follows the new cart. */
  replaceCart(sourceId: string, publicId: string, cart: CartSnapshot) {
    return this.change(sourceId, publicId, async (d) => {
      let discountValue = d.session.discountValue;
      if (d.session.discountCode) {
        const totals = checkoutTotals(cart, d.session.shippingMethod?.amount ?? 0, 0);
        const verdict = await this.discounts.validate(sourceId, { code: d.session.discountCode, checkoutId: d.checkoutRef, customerId: d.session.customerRef ?? undefined, cartValue: totals.subtotal, shippingValue: totals.shipping }, this.clock.now());
        discountValue = String(verdict.valid ? (verdict.discountValue ?? 0) : 0);
      }
      return { change: { cart, discountValue }, step: { type: 'checkout_updated', cart } };
    });
  }

  setShippingMethod(sourceId: string, publicId: string, method: { id: string; label: string; amount: number }) {
    return this.change(sourceId, publicId, () => ({ change: { shippingMethod: method }, step: { type: 'checkout_updated', properties: { shipping_method: method.id } } }));
  }

  setPaymentMethod(sourceId: string, publicId: string, paymentMethodId: string) {
    return this.change(sourceId, publicId, async (d) => {
      await this.usableCard(sourceId, d.session, paymentMethodId);
      return { change: { paymentMethodId }, step: { type: 'payment_entered' } };
    });
  }

  /** Validates the code with the discount engine for this checkout and customer; a refused code is a 422 with its reason. */
  applyDiscount(sourceId: string, publicId: string, code: string) {
    return this.change(sourceId, publicId, async (d) => {
      const verdict = await this.discounts.validate(sourceId, { code, checkoutId: d.checkoutRef, customerId: d.session.customerRef ?? undefined, cartValue: d.totals.subtotal, shippingValue: d.totals.shipping }, this.clock.now());
      if (!verdict.valid) throw new UnprocessableEntityException({ error: 'discount_refused', reason: verdict.reason, message: verdict.message, problems: [{ path: 'code', message: verdict.message }] });
      return {
        change: { discountCode: verdict.code, discountValue: String(verdict.discountValue ?? 0) },
        step: { type: 'checkout_updated', properties: { discount_code: verdict.code } },
      };
    });
  }

  removeDiscount(sourceId: string, publicId: string) {
    return this.change(sourceId, publicId, () => ({ change: { discountCode: null, discountValue: '0' }, step: { type: 'checkout_updated', properties: { discount_code: null } } }));
  }

  /** A card of this checkout's customer that is still saved, or a 422 naming `payment_method_id`. */
  async usableCard(sourceId: string, session: CheckoutSessionRow, paymentMethodId: string): Promise<PaymentMethodRow> {
    const card = session.customerRef ? await this.profiles.paymentMethod({ sourceId, customerRef: session.customerRef }, paymentMethodId) : undefined;
    if (!card) throw unprocessable('payment_method_id', `no saved payment method ${paymentMethodId} for this checkout's customer`);
    return card;
  }

  /** Records a step's event in the caller's transaction. */
  async record(scope: TransactionScope, sourceId: string, step: Omit<SessionStep, 'occurredAt'> & { occurredAt?: Date }) {
    await storeEventsWithin(scope, sourceId, [sessionEvent({ ...step, occurredAt: step.occurredAt ?? this.clock.now() })], () => this.clock.now());
  }

  /** Loads the session (locked when `forUpdate`) with its totals; 404 when this source has no such checkout. */
  async load(scope: Pick<TransactionScope, 'db'>, sourceId: string, publicId: string, forUpdate: boolean): Promise<SessionDetails> {
    const query = sessionQuery(scope.db).where(and(eq(checkoutSessions.publicId, publicId), eq(checkoutSessions.sourceId, sourceId)));
    const [row] = forUpdate ? await query.for('update', { of: checkoutSessions }) : await query;
    if (!row) throw new NotFoundException({ error: 'not_found', message: `no checkout ${publicId}` });
    return detailsOf(row);
  }

  /** The session a checkout has, if any. */
  private async ofCheckout(checkoutId: string): Promise<SessionDetails | undefined> {
    const [row] = await sessionQuery(this.db).where(eq(checkoutSessions.checkoutId, checkoutId));
    return row && detailsOf(row);
  }

  private async change(
    sourceId: string,
    publicId: string,
    decide: (current: SessionDetails) => { change: Change; step: Omit<SessionStep, 'checkoutRef' | 'occurredAt'> } | Promise<{ change: Change; step: Omit<SessionStep, 'checkoutRef' | 'occurredAt'> }>,
  ): Promise<SessionDetails> {
    // Decided from a plain read (which may use other pooled connections), applied under the row lock only if
    // nothing changed meanwhile: a transaction never waits for a second connection.
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.details(sourceId, publicId);
      assertOpen(current.session);
      const { change, step } = await decide(current);
      const applied = await inTransaction(this.pool, async (scope) => {
        const locked = await this.load(scope, sourceId, publicId, true);
        assertOpen(locked.session);
        if (locked.session.version !== current.session.version) return null;
        await scope.db
          .update(checkoutSessions)
          .set({ ...change, version: sql`${checkoutSessions.version} + 1`, updatedAt: this.clock.now() })
          .where(eq(checkoutSessions.checkoutId, current.session.checkoutId));
        await this.record(scope, sourceId, { ...step, checkoutRef: current.checkoutRef });
        return this.load(scope, sourceId, publicId, false);
      });
      if (applied) return applied;
    }
    throw new ConflictException({ error: 'concurrent_change', message: `checkout ${publicId} kept changing under this request; retry it` });
  }
}

/** A session with the checkout's id in events and the chosen card. */
function sessionQuery(db: Pick<TransactionScope, 'db'>['db']) {
  return db
    .select({ session: checkoutSessions, checkoutRef: checkouts.externalId, card: paymentMethods })
    .from(checkoutSessions)
    .innerJoin(checkouts, eq(checkouts.id, checkoutSessions.checkoutId))
    .leftJoin(paymentMethods, eq(paymentMethods.id, checkoutSessions.paymentMethodId))
    .$dynamic();
}

function detailsOf(row: { session: CheckoutSessionRow; checkoutRef: string; card: PaymentMethodRow | null }): SessionDetails {
  return { session: row.session, checkoutRef: row.checkoutRef, paymentMethod: row.card ?? null, totals: totalsOf(row.session) };
}

export function totalsOf(session: Pick<CheckoutSessionRow, 'cart' | 'shippingMethod' | 'discountValue'>): CheckoutTotals {
  return checkoutTotals(session.cart, session.shippingMethod?.amount ?? 0, Number(session.discountValue));
}

/** Only an open checkout changes: a paid one is final, one being paid waits for its payment. */
export function assertOpen(session: CheckoutSessionRow) {
  if (session.state === 'completed') throw new ConflictException({ error: 'checkout_completed', message: `checkout ${session.publicId} is completed (order ${session.orderId})`, order_id: session.orderId });
  if (session.state === 'charging') throw new ConflictException({ error: 'payment_in_progress', message: `checkout ${session.publicId} is being paid; try again when the payment has settled` });
}

function unprocessable(path: string, message: string) {
  return new UnprocessableEntityException({ error: 'invalid_choice', message: `${path}: ${message}`, problems: [{ path, message }] });
}

async function checkoutIdOf(scope: TransactionScope, sourceId: string, publicId: string): Promise<string> {
  const { rows } = await scope.client.query<{ id: string }>(
    `SELECT c.id FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id WHERE a.kind = 'checkout' AND a.value = $1 AND c.source_id = $2`,
    [publicId, sourceId],
  );
  if (!rows[0]) throw new Error(`checkout ${publicId} was not projected`);
  return rows[0].id;
}
