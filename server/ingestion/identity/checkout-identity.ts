import type { NormalizedEvent } from '../normalized-event';
import { AliasOwners } from './owners';

export type CheckoutAliasKind = 'checkout' | 'cart' | 'order';
const KINDS: readonly CheckoutAliasKind[] = ['checkout', 'cart', 'order'];

export interface CheckoutIdentities {
  /** Which checkout each event (by key) belongs to, after merges. */
  checkoutOf: Map<string, string>;
  /** Checkouts first seen in this batch. */
  created: Set<string>;
  owners: AliasOwners;
}

function refsOf(event: NormalizedEvent): Array<[CheckoutAliasKind, string | undefined]> {
  return [
    ['checkout', event.refs.checkoutId],
    ['cart', event.refs.cartId],
    ['order', event.refs.orderId],
  ];
}

/** The checkout identifiers an event carries, for loading and locking. */
export function checkoutAliasesOf(event: NormalizedEvent): Array<{ kind: CheckoutAliasKind; value: string }> {
  return refsOf(event).flatMap(([kind, value]) => (value === undefined ? [] : [{ kind, value }]));
}

/**
 * Links events to checkouts. An event carrying identifiers of two known checkouts proves they are one:
 * they merge into the one found by the strongest identifier (checkout id, then cart id, then order id).
 */
export function resolveCheckouts(events: readonly NormalizedEvent[], owners: AliasOwners, newId: () => string): CheckoutIdentities {
  const checkoutOf = new Map<string, string>();
  const created = new Set<string>();
  for (const event of events) {
    const refs = refsOf(event).filter((r): r is [CheckoutAliasKind, string] => r[1] !== undefined);
    if (refs.length === 0) continue;
    const matched = [...new Set(refs.map(([kind, value]) => owners.ownerOf(kind, value)).filter((id): id is string => id !== undefined))];
    let target = matched[0];
    if (target === undefined) {
      target = newId();
      created.add(target);
    }
    for (const other of matched.slice(1)) owners.merge(other, target);
    for (const [kind, value] of refs) owners.claim(kind, value, target);
    checkoutOf.set(event.key, target);
  }
  for (const [key, id] of checkoutOf) checkoutOf.set(key, owners.survivor(id));
  return { checkoutOf, created, owners };
}

export const CHECKOUT_ALIAS_KINDS = KINDS;
