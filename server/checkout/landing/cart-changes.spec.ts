import { describe, expect, it } from 'vitest';
import { cartChanges } from './cart-changes';

const item = (sku: string, quantity: number, unit_price: number, extra: Record<string, unknown> = {}) => ({ sku, name: `Item ${sku}`, quantity, unit_price, ...extra });

describe('cart changes since the reminder', () => {
  it('finds none when the cart is as shown', () => {
    expect(cartChanges([['a', 1, 10], ['b', 2, 5]], [item('a', 1, 10), item('b', 2, 5)])).toEqual([]);
  });

  it('names new prices and quantities with before and after', () => {
    expect(cartChanges([['a', 1, 10], ['b', 2, 5]], [item('a', 1, 12.5), item('b', 3, 5)])).toEqual([
      { kind: 'price', sku: 'a', name: 'Item a', before: 10, after: 12.5 },
      { kind: 'quantity', sku: 'b', name: 'Item b', before: 2, after: 3 },
    ]);
  });

  it('names items removed, out of stock and added', () => {
    expect(cartChanges([['a', 1, 10], ['b', 1, 5]], [item('b', 1, 5, { available: false }), item('c', 1, 7, { inventory_quantity: 0 })])).toEqual([
      { kind: 'removed', sku: 'a', name: 'a' },
      { kind: 'unavailable', sku: 'b', name: 'Item b' },
      { kind: 'added', sku: 'c', name: 'Item c' },
    ]);
  });
});
