import type { Pool } from 'pg';
import { inTransaction, type TransactionScope } from '../database/transaction';
import { checkoutAliasesOf, resolveCheckouts } from './identity/checkout-identity';
import { customerAliasesOf, resolveCustomers } from './identity/customer-identity';
import type { NormalizedEvent } from './normalized-event';
import { loadCheckoutAliases, storeCheckouts } from './store/checkout-store';
import { loadCustomerAliases, storeCustomers } from './store/customer-store';
import { insertEvents, recordOrders, savePushSubscriptions, storedEventKeys } from './store/event-store';
import { CompletedCheckout, suppressAfterOrder } from '../recovery/suppression/suppress-after-order';

function completedCheckouts(events: readonly NormalizedEvent[], checkoutOf: (key: string) => string | undefined): CompletedCheckout[] {
  return events.flatMap((e) => {
    const checkoutId = checkoutOf(e.key);
    return e.stage === 'completed' && checkoutId ? [{ checkoutId, orderedAt: e.occurredAt, revenue: e.order?.revenue ?? null }] : [];
  });
}

/** Deterministic processing order, so a batch resolves the same however its events were listed. */
function byOccurrence(a: NormalizedEvent, b: NormalizedEvent): number {
  return a.occurredAt.getTime() - b.occurredAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Stores one source's events (keys unique) and updates the checkout and customer projections in one
 * transaction; returns the keys that were new. The identifiers the events carry are locked first, so
 * concurrent transactions about the same checkout or customer take turns while unrelated ones run in parallel.
 */
export function storeEvents(pool: Pool, sourceId: string, unique: readonly NormalizedEvent[], now: () => Date): Promise<Set<string>> {
  return inTransaction(pool, (scope) => storeEventsWithin(scope, sourceId, unique, now));
}

/** `storeEvents` inside the caller's transaction: the checkout API records a paid order with its events atomically. */
export async function storeEventsWithin(scope: TransactionScope, sourceId: string, unique: readonly NormalizedEvent[], now: () => Date): Promise<Set<string>> {
  const candidates = [...unique].sort(byOccurrence);
  const lockKeys = candidates.flatMap((e) => [
    ...checkoutAliasesOf(e).map((a) => `checkout:${a.kind}:${a.value}`),
    ...customerAliasesOf(e).map((a) => `customer:${a.kind}:${a.value}`),
  ]);
  await scope.client.query({
    name: 'lock_identities',
    text: 'SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 7) AS h FROM unnest($1::text[]) AS k ORDER BY h) s',
    values: [lockKeys],
  });
  const stored = await storedEventKeys(scope, sourceId, candidates.map((e) => e.key));
  const events = candidates.filter((e) => !stored.has(e.key));
  if (events.length === 0) return new Set<string>();

  const customerLookup = await loadCustomerAliases(scope, events.flatMap(customerAliasesOf));
  const customers = resolveCustomers(events, customerLookup.owners, customerLookup.userIds, () => crypto.randomUUID());
  const checkouts = resolveCheckouts(events, await loadCheckoutAliases(scope, events.flatMap(checkoutAliasesOf)), () => crypto.randomUUID());
  const customerOf = (key: string) => customers.customerOf.get(key);
  const checkoutOf = (key: string) => checkouts.checkoutOf.get(key);

  const at = now();
  await storeCustomers(scope, events, customers, at);
  await storeCheckouts(scope, {
    sourceId,
    events,
    identities: checkouts,
    customerOf: customers.customerOf,
    customerSurvivor: (id) => customers.owners.survivor(id),
    now: at,
  });
  const inserted = await insertEvents(scope, sourceId, events, checkoutOf, customerOf);
  await recordOrders(scope, events, checkoutOf, customerOf);
  await savePushSubscriptions(scope, events, customerOf);
  // A purchase stops every pending reminder, in this same transaction.
  await suppressAfterOrder(scope, completedCheckouts(events, checkoutOf));
  return inserted;
}
