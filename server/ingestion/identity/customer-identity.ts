import type { NormalizedEvent } from '../normalized-event';
import { AliasOwners } from './owners';

export type CustomerAliasKind = 'user' | 'anonymous' | 'email';

export interface CustomerIdentities {
  customerOf: Map<string, string>;
  /** Customers first seen in this batch. */
  created: Set<string>;
  /** The merchant's user id of every customer this batch touched that has one. */
  userIdOf: Map<string, string>;
  owners: AliasOwners;
}

function idsOf(event: NormalizedEvent): Array<[CustomerAliasKind, string]> {
  const c = event.customer;
  if (!c) return [];
  const ids: Array<[CustomerAliasKind, string | undefined]> = [
    ['user', c.userId],
    ['anonymous', c.anonymousId],
    ['email', c.email],
  ];
  return ids.filter((r): r is [CustomerAliasKind, string] => r[1] !== undefined);
}

export function customerAliasesOf(event: NormalizedEvent): Array<{ kind: CustomerAliasKind; value: string }> {
  return idsOf(event).map(([kind, value]) => ({ kind, value }));
}

/**
 * Links events to customers. An anonymous profile (no user id) met together with another profile is merged
 * into it; two profiles with different user ids are never merged, whatever else they share.
 * `knownUserIds` holds the user id of every customer the loaded aliases lead to.
 */
export function resolveCustomers(
  events: readonly NormalizedEvent[],
  owners: AliasOwners,
  knownUserIds: Map<string, string>,
  newId: () => string,
): CustomerIdentities {
  const customerOf = new Map<string, string>();
  const created = new Set<string>();
  const userIdOf = new Map(knownUserIds);
  for (const event of events) {
    const ids = idsOf(event);
    if (ids.length === 0) continue;
    const userId = event.customer?.userId;
    const matched = [...new Set(ids.map(([kind, value]) => owners.ownerOf(kind, value)).filter((id): id is string => id !== undefined))];
    const identified = matched.filter((id) => userIdOf.has(id));
    const anonymous = matched.filter((id) => !userIdOf.has(id));

    let target: string | undefined;
    if (userId !== undefined) {
      target = owners.ownerOf('user', userId) ?? (identified.length === 0 ? anonymous[0] : undefined);
    } else {
      target = identified.length === 1 ? identified[0] : matched[0];
    }
    if (target === undefined) {
      target = newId();
      created.add(target);
    }
    if (userId !== undefined && !userIdOf.has(target)) userIdOf.set(target, userId);

    for (const other of anonymous) if (other !== target) owners.merge(other, target);
    for (const [kind, value] of ids) owners.claim(kind, value, target);
    customerOf.set(event.key, target);
  }
  for (const [key, id] of customerOf) customerOf.set(key, owners.survivor(id));
  return { customerOf, created, userIdOf, owners };
}
