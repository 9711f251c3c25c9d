import type { CartSnapshot } from '../../../models/checkouts';
import type { SignedLinks } from './signed-links';

export interface LandingFacts {
  checkoutId: string;
  messageId: string;
  customerId: string | null;
  cart: CartSnapshot | null;
}

const ITEMS_IN_LINK = 30;

/**
 * Where "complete your order" leads: our checkout page for this checkout and recipient, signed, valid for
 * `ttlHours`, carrying the items the message showed so the page can point out what changed since.
 */
export function landingUrlOf(links: SignedLinks, facts: LandingFacts, now: Date, ttlHours: number): string {
  const items = facts.cart?.items.slice(0, ITEMS_IN_LINK).map((i): [string, number, number] => [i.sku, i.quantity, i.unit_price]);
  return links.landing({
    checkoutId: facts.checkoutId,
    messageId: facts.messageId,
    customerId: facts.customerId,
    expiresAt: Math.floor(now.getTime() / 1000 + ttlHours * 3600),
    ...(items && items.length > 0 ? { items } : {}),
  });
}

/** The facts read for one message. */
export const LANDING_FACTS_SQL = `SELECT m.checkout_id, m.customer_id, c.cart FROM messages m JOIN checkouts c ON c.id = m.checkout_id WHERE m.id = $1`;
