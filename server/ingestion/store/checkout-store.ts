import { inArray } from 'drizzle-orm';
import { checkouts } from '../../../models';
import type { CheckoutStatus } from '../../../models/checkouts';
import { RetryTransaction, TransactionScope } from '../../database/transaction';
import type { CheckoutIdentities } from '../identity/checkout-identity';
import { AliasOwners } from '../identity/owners';
import type { NormalizedEvent } from '../normalized-event';
import { checkoutRow, checkoutStateOf } from '../projection/checkout-row';
import { checkoutFactsOf, CheckoutState, mergeCheckouts } from '../projection/checkout-state';
import { takeExcluded } from './excluded';

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

/** Folds a batch's events into the checkouts they belong to, merging checkouts the batch proved to be one. */
export async function storeCheckouts(scope: TransactionScope, batch: CheckoutBatch) {
  const { owners, checkoutOf, created } = batch.identities;
  const survivors = new Set(checkoutOf.values());
  const losers = owners.merges.map((m) => m.from);
  const existingIds = [...new Set([...survivors, ...losers])].filter((id) => !created.has(id)).sort();

  const existing = existingIds.length === 0 ? [] : await scope.db.select().from(checkouts).where(inArray(checkouts.id, existingIds)).orderBy(checkouts.id).for('update');
  if (existing.length !== existingIds.length) throw new RetryTransaction('a checkout was merged away by a concurrent batch');

  const states = new Map<string, CheckoutState>();
  const statuses = new Map<string, CheckoutStatus>();
  const externalIds = new Map<string, string>(created);
  const fold = (id: string, state: CheckoutState) => {
    const current = states.get(id);
    states.set(id, current ? mergeCheckouts(current, state) : state);
  };
  for (const row of existing) {
    const id = owners.survivor(row.id);
    fold(id, checkoutStateOf(row));
    if (id === row.id) {
      statuses.set(id, row.status);
      externalIds.set(id, row.externalId);
    }
  }
  for (const event of batch.events) {
    const id = checkoutOf.get(event.key);
    if (id === undefined) continue;
    const customerId = batch.customerOf.get(event.key);
    fold(id, checkoutFactsOf(event, batch.sourceId, customerId));
  }

  const rows = [...states].map(([id, state]) => {
    if (state.customerId) state = { ...state, customerId: { ...state.customerId, value: batch.customerSurvivor(state.customerId.value) } };
    return checkoutRow(id, externalIds.get(id) ?? id, state, statuses.get(id), batch.now);
  });
  if (rows.length > 0) {
    await scope.db
      .insert(checkouts)
      .values(rows)
      .onConflictDoUpdate({ target: checkouts.id, set: takeExcluded(checkouts, ['id', 'externalId', 'createdAt']) });
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
