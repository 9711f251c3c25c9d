import { currencyDigits } from '../../payments/minor-units';
import type { CartSnapshot } from '../../../models/checkouts';

/** `amount` rounded to the currency's smallest unit (half away from zero). */
export function roundToCurrency(amount: number, currency: string): number {
  const digits = currencyDigits(currency);
  // Shifting through the decimal exponent rounds 1.005 to 1.01, where multiplying by 100 gives 100.4999…
  const shifted = Math.round(Number(`${Math.abs(amount).toFixed(10)}e${digits}`));
  return Math.sign(amount) * Number(`${shifted}e-${digits}`);
}

export interface CheckoutTotals {
  currency: string;
  subtotal: number;
  discount: number;
  shipping: number;
  total: number;
}

/**
 * What the shopper pays: the items at their unit prices, less the discount (never more than the items and
 * shipping together), plus shipping. Every figure rounded to the currency.
 */
export function checkoutTotals(cart: CartSnapshot, shipping: number, discount: number): CheckoutTotals {
  const { currency } = cart;
  const subtotal = roundToCurrency(
    cart.items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0),
    currency,
  );
  const ship = roundToCurrency(shipping, currency);
  const off = roundToCurrency(Math.min(Math.max(discount, 0), subtotal + ship), currency);
  return { currency, subtotal, discount: off, shipping: ship, total: roundToCurrency(subtotal + ship - off, currency) };
}
