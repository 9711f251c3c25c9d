import { checkouts } from '../../../models';
import { RetryTransaction, TransactionScope } from '../../database/transaction';
import type { CheckoutIdentities } from '../identity/checkout-identity';
import { AliasOwners } from '../identity/owners';
import type { NormalizedEvent } from '../normalized-event';
import { checkoutRow, checkoutStateOf } from '../projection/checkout-row';
import { mergeCheckoutRows } from '../projection/checkout-merge';
import { checkoutFactsOf, CheckoutState, mergeCheckouts } from '../projection/checkout-state';
import { TableRows } from '../../database/table-rows';
import { CHECKOUT_ALIASES, insertClaims, moveMergedRows, storedMerges } from './alias-store';

const checkoutRows = new TableRows(checkouts);

export async function loadCheckoutAliases(scope: TransactionScope, aliases: Array<{ kind: string; value: string }>): Promise<AliasOwners> {
  const owners = new AliasOwners();
  if (aliases.length === 0) return owners;
  const { rows } = await scope.client.query<{ kind: string; value: string; checkout_id: string }>(
    `SELECT a.kind, a.value, a.checkout_id
       FROM unnest($1::text[], $2::text[]) AS k(kind, value)
       JOIN checkout_aliases a ON a.kind = k.kind AND a.value = k.value`,
    [aliases.map((a) => a.kind), aliases.map((a) => a.value)],
  );
  for (const row of rows) owners.load(row.kind, row.value, row.checkout_id);
  return owners;
}

const KIND_STRENGTH: Record<string, number> = { checkout: 0, cart: 1, order: 2 };

/** For checkouts created by this batch, the strongest identifier they were claimed under (checkout id, cart id, order id). */
function strongestAliases(owners: AliasOwners, created: Set<string>): Map<string, string> {
  const best = new Map<string, { kind: string; value: string }>();
  for (const claim of owners.finalClaims()) {
    if (!created.has(claim.ownerId)) continue;
    const current = best.get(claim.ownerId);
    const stronger = !current || KIND_STRENGTH[claim.kind] < KIND_STRENGTH[current.kind] || (claim.kind === current.kind && claim.value < current.value);
    if (stronger) best.set(claim.ownerId, claim);
  }
  return new Map([...best].map(([id, claim]) => [id, claim.value]));
}

export interface CheckoutBatch {
  sourceId: string;
  events: readonly NormalizedEvent[];
  identities: CheckoutIdentities;
  /** The customer each event resolved to, and where merged customers went. */
  customerOf: Map<string, string>;
  customerSurvivor: (id: string) => string;
  now: Date;
}

/**
 * Folds a batch's events into the checkouts they belong to and merges the result into the stored rows in
 * SQL; checkouts the batch proved to be one are merged, the loser's row folded into the survivor's.
 */
export async function storeCheckouts(scope: TransactionScope, batch: CheckoutBatch) {
  const { owners, checkoutOf, created } = batch.identities;
  const losers = [...new Set(owners.merges.map((m) => m.from))].filter((id) => !created.has(id)).sort();
  const loserRows = await checkoutRows.lockByIds(scope.client, losers);
  if (loserRows.length !== losers.length) throw new RetryTransaction('a checkout was merged away by a concurrent batch');

  const deltas = new Map<string, CheckoutState>();
  const externalIds = strongestAliases(owners, created);
  const fold = (id: string, state: CheckoutState) => {
    const current = deltas.get(id);
    deltas.set(id, current ? mergeCheckouts(current, state) : state);
  };
  for (const row of loserRows) fold(owners.survivor(row.id), checkoutStateOf(row));
  for (const event of batch.events) {
    const id = checkoutOf.get(event.key);
    if (id === undefined) continue;
    fold(id, checkoutFactsOf(event, batch.sourceId, batch.customerOf.get(event.key)));
  }

  const rows = [...deltas].map(([id, state]) => {
    if (state.customerId) state = { ...state, customerId: { ...state.customerId, value: batch.customerSurvivor(state.customerId.value) } };
    // external_id is written on insert only; a stored row keeps its own (the id is a placeholder for NOT NULL).
    return checkoutRow(id, externalIds.get(id) ?? id, state, undefined, batch.now);
  });
  const { inserted } = await mergeCheckoutRows.run(scope.client, rows);
  for (const id of inserted) {
    if (!created.has(id)) throw new RetryTransaction('a checkout was merged away by a concurrent batch');
  }

  const merges = storedMerges(owners, created);
  await moveMergedRows(scope, CHECKOUT_ALIASES, merges);
  const claims = await insertClaims(scope, CHECKOUT_ALIASES, owners);

  // The merchant knows a checkout by its strongest identifier; a stored checkout that gained an alias or
  // absorbed another may now have a stronger one. (New checkouts got theirs from their claims above.)
  const relabel = [...new Set([...claims.map((c) => c.ownerId), ...merges.map((m) => m.into)])].filter((id) => !created.has(id));
  if (relabel.length > 0) {
    await scope.client.query(
      `UPDATE checkouts c SET external_id = a.value
         FROM (SELECT DISTINCT ON (checkout_id) checkout_id, value FROM checkout_aliases
                WHERE checkout_id = ANY($1::uuid[])
                ORDER BY checkout_id, CASE kind WHEN 'checkout' THEN 0 WHEN 'cart' THEN 1 ELSE 2 END, value) a
        WHERE c.id = a.checkout_id AND c.external_id IS DISTINCT FROM a.value`,
      [relabel],
    );
  }
}
