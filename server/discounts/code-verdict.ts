/**
 * Whether a discount code may be used by the shopper asking, and why not. Pure: the code's row, the shopper
 * as resolved from the request, and the time.
 *
 * Refusals, in the order they are checked:
 *  - unknown: no such code for this source (another merchant's code is unknown too, so codes cannot be probed);
 *  - foreign: the code was issued for another checkout and another customer;
 *  - redeemed: an order already used it;
 *  - disabled: the code was revoked;
 *  - expired: its validity ended.
 * A foreign shopper learns nothing more about the code than that it is not theirs.
 */
import { discountValue, DiscountOffer, OfferType } from '../../campaigns/discount-rules';

export type CodeRefusalReason = 'unknown' | 'expired' | 'redeemed' | 'foreign' | 'disabled';

export const REFUSAL_MESSAGES: Record<CodeRefusalReason, string> = {
  unknown: 'there is no such discount code',
  foreign: 'this discount code was issued for another checkout or customer',
  redeemed: 'this discount code has already been used',
  disabled: 'this discount code has been withdrawn',
  expired: 'this discount code has expired',
};

export interface CodeState {
  sourceId: string;
  checkoutId: string | null;
  customerId: string | null;
  type: OfferType;
  percent: number | null;
  amount: number | null;
  maxDiscountValue: number | null;
  expiresAt: Date;
  revokedAt: Date | null;
  redeemedAt: Date | null;
  redeemedOrderId: string | null;
}

/** The shopper a request speaks for, as our ids: the checkout it names (and that checkout's customer), the customer it names. */
export interface ShopperRef {
  checkoutId: string | null;
  checkoutCustomerId: string | null;
  customerId: string | null;
}

/** Is the code bound to this shopper: their checkout, or their customer (named directly or through the checkout)? */
export function isIssuedTo(code: Pick<CodeState, 'checkoutId' | 'customerId'>, shopper: ShopperRef): boolean {
  if (code.checkoutId !== null && code.checkoutId === shopper.checkoutId) return true;
  if (code.customerId === null) return false;
  return code.customerId === shopper.customerId || code.customerId === shopper.checkoutCustomerId;
}

/** Why the code cannot be used by this shopper now, or null when it can. */
export function codeRefusal(code: CodeState | null, sourceId: string, shopper: ShopperRef, now: Date): CodeRefusalReason | null {
  if (code === null || code.sourceId !== sourceId) return 'unknown';
  if (!isIssuedTo(code, shopper)) return 'foreign';
  if (code.redeemedAt !== null) return 'redeemed';
  if (code.revokedAt !== null) return 'disabled';
  if (now.getTime() >= code.expiresAt.getTime()) return 'expired';
  return null;
}

/** The code's offer in the rules' terms. */
export function offerOfCode(code: Pick<CodeState, 'type' | 'percent' | 'amount' | 'maxDiscountValue'>): DiscountOffer {
  return {
    type: code.type,
    amount: code.type === 'percent' ? (code.percent ?? 0) : code.type === 'fixed_amount' ? (code.amount ?? 0) : 0,
    maxDiscountValue: code.maxDiscountValue,
    expiryHours: 0,
  };
}

/**
 * The money the code takes off: on `cartValue` when given; without it, a fixed amount is known (capped) but
 * a percent is not (null). Free shipping is worth `shippingValue` (null when not sent).
 */
export function codeDiscountValue(code: Pick<CodeState, 'type' | 'percent' | 'amount' | 'maxDiscountValue'>, cartValue?: number | null, shippingValue?: number | null): number | null {
  const offer = offerOfCode(code);
  if (code.type === 'free_shipping') return shippingValue == null ? null : discountValue(offer, null, Number.MAX_SAFE_INTEGER, shippingValue);
  if (cartValue == null) return code.type === 'fixed_amount' ? discountValue(offer, null, Number.MAX_SAFE_INTEGER) : null;
  return discountValue(offer, null, cartValue);
}
