import { describe, expect, it } from 'vitest';
import { checkoutTotals, roundToCurrency } from './totals';

const cart = (currency: string, ...items: Array<[number, number]>) => ({
  currency,
  value: 0,
  items: items.map(([quantity, unit_price], i) => ({ sku: `s${i}`, quantity, unit_price })),
});

describe('checkout totals', () => {
  it('rounds to the currency and without float drift', () => {
    expect(roundToCurrency(0.1 + 0.2, 'USD')).toBe(0.3);
    expect(roundToCurrency(1.005, 'USD')).toBe(1.01);
    expect(roundToCurrency(1234.5, 'JPY')).toBe(1235);
    expect(roundToCurrency(1.2345, 'KWD')).toBe(1.235);
  });

  it('adds items and shipping, takes the discount off', () => {
    expect(checkoutTotals(cart('USD', [2, 19.99], [1, 5]), 4.5, 6)).toEqual({ currency: 'USD', subtotal: 44.98, discount: 6, shipping: 4.5, total: 43.48 });
  });

  it('never lets a discount push the total below zero', () => {
    expect(checkoutTotals(cart('USD', [1, 10]), 2, 50)).toMatchObject({ discount: 12, total: 0 });
    expect(checkoutTotals(cart('USD', [1, 10]), 0, -5)).toMatchObject({ discount: 0, total: 10 });
  });

  it('rounds yen totals to whole yen', () => {
    expect(checkoutTotals(cart('JPY', [3, 333.33]), 0, 0)).toMatchObject({ subtotal: 1000, total: 1000 });
  });
});
