import { Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { Pool } from 'pg';
import type { CartSnapshot } from '../../../models/checkouts';
import { PG_POOL } from '../../database/database';
import { storefrontUrlOf } from '../../recovery/links/resume-url';
import type { LandingClaims } from '../../recovery/links/signed-links';
import { CheckoutSessionsService, type SessionDetails } from '../sessions/checkout-sessions.service';
import { cartChanges, isUnavailable, type CartChange } from './cart-changes';

interface CheckoutFacts {
  id: string;
  source_id: string;
  status: string;
  customer_id: string | null;
  cart: CartSnapshot | null;
  email: string | null;
  phone: string | null;
  context: { page?: { url?: string } } | null;
  allowed_origins: string[];
  user_id: string | null;
  brand: string;
}

/** The reminder's code: applied now, or why it could not be. */
type Offer = { code: string; applied: boolean; message?: string };

export type Landing =
  | { kind: 'gone'; brand: string; storeUrl: string | null; reason: 'completed' | 'empty' | 'not_yours' }
  | {
      kind: 'checkout';
      brand: string;
      storeUrl: string | null;
      details: SessionDetails;
      changes: CartChange[];
      unavailable: boolean;
      offer: Offer | null;
      oneClick: boolean;
    };

/**
 * Opens a reminder's checkout link: the checkout's session (made on first use from the latest cart the
 * storefront reported and the shopper's saved defaults), what changed since the reminder, and the reminder's
 * code applied once.
 */
@Injectable()
export class LandingService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly sessions: CheckoutSessionsService,
  ) {}

  async open(claims: LandingClaims): Promise<Landing> {
    const facts = await this.facts(claims.checkoutId);
    if (!facts || (claims.customerId !== null && facts.customer_id !== claims.customerId)) return { kind: 'gone', brand: facts?.brand ?? 'Our store', storeUrl: null, reason: 'not_yours' };
    const storeUrl = storefrontUrlOf({ context: facts.context, allowedOrigins: facts.allowed_origins });
    if (facts.status === 'completed' || facts.status === 'recovered') return { kind: 'gone', brand: facts.brand, storeUrl, reason: 'completed' };
    if (!facts.cart || facts.cart.items.length === 0) return { kind: 'gone', brand: facts.brand, storeUrl, reason: 'empty' };
    const contact = { ...(facts.email ? { email: facts.email } : {}), ...(facts.phone ? { phone: facts.phone } : {}) };
    let details = await this.sessions.adopt({ id: facts.id, sourceId: facts.source_id, cart: facts.cart, customerRef: facts.user_id, contact });
    if (details.session.state === 'completed') return { kind: 'gone', brand: facts.brand, storeUrl, reason: 'completed' };
    if (details.session.state === 'open' && JSON.stringify(details.session.cart) !== JSON.stringify(facts.cart)) {
      details = await this.sessions.replaceCart(facts.source_id, details.session.publicId, facts.cart);
    }
    const { offer, details: withOffer } = await this.applyOffer(facts.source_id, claims.messageId, details);
    details = withOffer;
    return {
      kind: 'checkout',
      brand: facts.brand,
      storeUrl,
      details,
      changes: cartChanges(claims.items ?? [], details.session.cart.items),
      unavailable: details.session.cart.items.some(isUnavailable),
      offer,
      oneClick: details.paymentMethod !== null && details.session.shippingAddress !== null,
    };
  }

  /** The code the reminder carried, applied when the checkout has none yet (with the checkout as it then is); a code applied once stays applied. */
  private async applyOffer(sourceId: string, messageId: string, details: SessionDetails): Promise<{ offer: Offer | null; details: SessionDetails }> {
    const { rows } = await this.pool.query<{ code: string }>(`SELECT code FROM discount_codes WHERE message_id = $1 ORDER BY issued_at DESC LIMIT 1`, [messageId]);
    const code = rows[0]?.code;
    if (!code) return { offer: null, details };
    if (details.session.discountCode === code) return { offer: { code, applied: true }, details };
    if (details.session.discountCode || details.session.state !== 'open') return { offer: { code, applied: false, message: 'another code is already applied' }, details };
    try {
      return { offer: { code, applied: true }, details: await this.sessions.applyDiscount(sourceId, details.session.publicId, code) };
    } catch (error) {
      if (error instanceof UnprocessableEntityException) return { offer: { code, applied: false, message: (error.getResponse() as { message: string }).message }, details };
      throw error;
    }
  }

  private async facts(checkoutId: string): Promise<CheckoutFacts | undefined> {
    const { rows } = await this.pool.query<CheckoutFacts>(
      `SELECT c.id, c.source_id, c.status, c.customer_id, c.cart, c.email, c.phone, c.context, s.allowed_origins, s.name AS brand, cu.user_id
         FROM checkouts c JOIN sources s ON s.id = c.source_id LEFT JOIN customers cu ON cu.id = c.customer_id
        WHERE c.id = $1`,
      [checkoutId],
    );
    return rows[0];
  }
}
