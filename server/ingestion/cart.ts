import type { CartItem, CartSnapshot } from '../../models/checkouts';

export function roundMoney(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export function cartSnapshot(items: CartItem[], currency: string, value?: number): CartSnapshot {
  const computed = items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0);
  return { items, value: roundMoney(value ?? computed), currency };
}
