import { checkouts } from '../../../models';
import { RetryTransaction, TransactionScope } from '../../database/transaction';
import type { CheckoutIdentities } from '../identity/checkout-identity';
import { AliasOwners } from '../identity/owners';
import type { NormalizedEvent } from '../normalized-event';
import { checkoutRow, checkoutStateOf } from '../projection/checkout-row';
import { mergeCheckoutRows } from '../projection/checkout-merge';
import { checkoutFactsOf, CheckoutState, mergeCheckouts } from '../projection/checkout-state';
import { TableRows } from '../../database/table-rows';

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
  const externalIds = new Map<string, string>(created);
  const fold = (id: string, state: CheckoutState) => {
    const current = deltas.get(id);
    deltas.set(id, current ? mergeCheckouts(current, state) : state);
  };
  for (const row of loserRows) fold(owners.survivor(row.id), checkoutStateOf(row));
  for (const event of batch.events) {
    const id = checkoutOf.get(event.key);
    if (id === undefined) continue;
    fold(id, checkoutFactsOf(event, batch.sourceId, batch.customerOf.get(event.key)));
    if (!externalIds.has(id)) externalIds.set(id, event.refs.checkoutId ?? event.refs.cartId ?? event.refs.orderId ?? id);
  }

  const rows = [...deltas].map(([id, state]) => {
    if (state.customerId) state = { ...state, customerId: { ...state.customerId, value: batch.customerSurvivor(state.customerId.value) } };
    return checkoutRow(id, externalIds.get(id)!, state, undefined, batch.now);
  });
  const { inserted } = await mergeCheckoutRows.run(scope.client, rows);
  for (const id of inserted) {
    if (!created.has(id)) throw new RetryTransaction('a checkout was merged away by a concurrent batch');
  }

  const merges = owners.merges.map((m) => ({ from: m.from, into: owners.survivor(m.into) })).filter((m) => !created.has(m.from));
  if (merges.length > 0) {
    const params = [merges.map((m) => m.from), merges.map((m) => m.into)];
    for (const table of ['checkout_aliases', 'events', 'orders']) {
      await scope.client.query(
        `UPDATE ${table} t SET checkout_id = m.into_id FROM unnest($1::uuid[], $2::uuid[]) AS m(from_id, into_id) WHERE t.checkout_id = m.from_id`,
        params,
      );
    }
    await scope.client.query('DELETE FROM checkouts WHERE id = ANY($1::uuid[])', [params[0]]);
  }

  const claims = owners.finalClaims();
  if (claims.length > 0) {
    await scope.client.query(
      `INSERT INTO checkout_aliases (kind, value, checkout_id) SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[]) ON CONFLICT DO NOTHING`,
      [claims.map((c) => c.kind), claims.map((c) => c.value), claims.map((c) => c.ownerId)],
    );
  }

  // The merchant knows a checkout by its strongest identifier; a new alias or a merge may change which that is.
  const relabel = [...new Set([...claims.map((c) => c.ownerId), ...merges.map((m) => m.into)])];
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
