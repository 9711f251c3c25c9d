import { customers } from '../../../models';
import { RetryTransaction, TransactionScope } from '../../database/transaction';
import type { CustomerIdentities } from '../identity/customer-identity';
import { AliasOwners } from '../identity/owners';
import type { NormalizedEvent } from '../normalized-event';
import { customerRow, customerStateOf } from '../projection/customer-row';
import { mergeCustomerRows } from '../projection/customer-merge';
import { customerFactsOf, CustomerState, mergeCustomers } from '../projection/customer-state';
import { TableRows } from '../../database/table-rows';
import { CUSTOMER_ALIASES, insertClaims, moveMergedRows, storedMerges } from './alias-store';

const customerRows = new TableRows(customers);

export async function loadCustomerAliases(scope: TransactionScope, aliases: Array<{ kind: string; value: string }>) {
  const owners = new AliasOwners();
  const userIds = new Map<string, string>();
  if (aliases.length === 0) return { owners, userIds };
  const { rows } = await scope.client.query<{ kind: string; value: string; customer_id: string; user_id: string | null }>(
    `SELECT a.kind, a.value, a.customer_id, c.user_id
       FROM unnest($1::text[], $2::text[]) AS k(kind, value)
       JOIN customer_aliases a ON a.kind = k.kind AND a.value = k.value
       JOIN customers c ON c.id = a.customer_id`,
    [aliases.map((a) => a.kind), aliases.map((a) => a.value)],
  );
  for (const row of rows) {
    owners.load(row.kind, row.value, row.customer_id);
    if (row.user_id !== null) userIds.set(row.customer_id, row.user_id);
  }
  return { owners, userIds };
}

/**
 * Writes what a batch taught us about customers: new and updated profiles, merges of anonymous profiles
 * into the profile they turned out to be, and the new aliases.
 */
export async function storeCustomers(scope: TransactionScope, events: readonly NormalizedEvent[], identities: CustomerIdentities, now: Date) {
  const { owners, customerOf, created, userIdOf } = identities;
  const losers = [...new Set(owners.merges.map((m) => m.from))].filter((id) => !created.has(id)).sort();
  const loserRows = await customerRows.lockByIds(scope.client, losers);
  if (loserRows.length !== losers.length) throw new RetryTransaction('a customer was merged away by a concurrent batch');

  const deltas = new Map<string, CustomerState>();
  const fold = (id: string, state: CustomerState) => {
    const current = deltas.get(id);
    deltas.set(id, current ? mergeCustomers(current, state) : state);
  };
  for (const row of loserRows) fold(owners.survivor(row.id), customerStateOf(row));
  for (const event of events) {
    const id = customerOf.get(event.key);
    if (id !== undefined) fold(id, customerFactsOf(event));
  }

  const rows = [...deltas].map(([id, state]) => customerRow(id, userIdOf.get(id) ?? null, state, now));
  const { inserted } = await mergeCustomerRows.run(scope.client, rows);
  for (const id of inserted) {
    if (!created.has(id)) throw new RetryTransaction('a customer was merged away by a concurrent batch');
  }

  const merges = storedMerges(owners, created);
  await moveMergedRows(scope, CUSTOMER_ALIASES, merges);
  if (merges.length > 0) {
    await scope.client.query(
      `UPDATE customers c SET orders_count = o.n, lifetime_value = o.total
         FROM (SELECT id, (SELECT count(*) FROM orders WHERE customer_id = id) AS n,
                          (SELECT coalesce(sum(revenue), 0) FROM orders WHERE customer_id = id) AS total
                 FROM unnest($1::uuid[]) AS id) o
        WHERE c.id = o.id`,
      [[...new Set(merges.map((m) => m.into))]],
    );
  }
  await insertClaims(scope, CUSTOMER_ALIASES, owners);
}
