import type { CartItem } from '../../../models/checkouts';

export type CartChange =
  | { kind: 'price'; sku: string; name: string; before: number; after: number }
  | { kind: 'quantity'; sku: string; name: string; before: number; after: number }
  | { kind: 'removed'; sku: string; name: string }
  | { kind: 'unavailable'; sku: string; name: string }
  | { kind: 'added'; sku: string; name: string };

/** Items a storefront marks as not available (`available: false` or `inventory_quantity: 0`). */
export function isUnavailable(item: CartItem): boolean {
  return item.available === false || item.inventory_quantity === 0;
}

/**
 * What differs between the items a reminder showed (`[sku, quantity, unit price]`) and the latest cart the
 * storefront reported: new prices, quantities, items gone or out of stock, items added. The shopper sees
 * each before paying; nothing changes silently.
 */
export function cartChanges(shown: ReadonlyArray<readonly [string, number, number]>, latest: readonly CartItem[]): CartChange[] {
  const now = new Map(latest.map((item) => [item.sku, item]));
  const before = new Map(shown.map(([sku, quantity, price]) => [sku, { quantity, price }]));
  const changes: CartChange[] = [];
  for (const [sku, was] of before) {
    const item = now.get(sku);
    if (!item) {
      changes.push({ kind: 'removed', sku, name: sku });
      continue;
    }
    const name = item.name ?? sku;
    if (isUnavailable(item)) changes.push({ kind: 'unavailable', sku, name });
    if (item.unit_price !== was.price) changes.push({ kind: 'price', sku, name, before: was.price, after: item.unit_price });
    if (item.quantity !== was.quantity) changes.push({ kind: 'quantity', sku, name, before: was.quantity, after: item.quantity });
  }
  for (const item of latest) {
    if (!before.has(item.sku)) changes.push({ kind: 'added', sku: item.sku, name: item.name ?? item.sku });
    else if (isUnavailable(item) && !changes.some((c) => c.kind === 'unavailable' && c.sku === item.sku)) changes.push({ kind: 'unavailable', sku: item.sku, name: item.name ?? item.sku });
  }
  return changes;
}
