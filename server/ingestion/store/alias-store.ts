import type { TransactionScope } from '../../database/transaction';
import { AliasOwners } from '../identity/owners';

/** An owner table (checkouts, customers), its alias table, and every table that points at its rows. */
export interface AliasedTable {
  owners: 'checkouts' | 'customers';
  aliases: 'checkout_aliases' | 'customer_aliases';
  column: 'checkout_id' | 'customer_id';
  referencing: readonly string[];
}

export const CHECKOUT_ALIASES: AliasedTable = {
  owners: 'checkouts',
  aliases: 'checkout_aliases',
  column: 'checkout_id',
  referencing: ['checkout_aliases', 'events', 'orders', 'discount_codes'],
};

export const CUSTOMER_ALIASES: AliasedTable = {
  owners: 'customers',
  aliases: 'customer_aliases',
  column: 'customer_id',
  referencing: ['customer_aliases', 'checkouts', 'events', 'orders', 'push_subscriptions', 'discount_codes'],
};

export interface Merge {
  from: string;
  into: string;
}

/** The merges a batch decided, each loser pointing at its final survivor, leaving out rows the batch itself created. */
export function storedMerges(owners: AliasOwners, created: { has(id: string): boolean }): Merge[] {
  return owners.merges.map((m) => ({ from: m.from, into: owners.survivor(m.into) })).filter((m) => !created.has(m.from));
}

/** Points everything that referenced the merged rows at their survivors, then deletes the merged rows. */
export async function moveMergedRows(scope: TransactionScope, table: AliasedTable, merges: readonly Merge[]) {
  if (merges.length === 0) return;
  const params = [merges.map((m) => m.from), merges.map((m) => m.into)];
  for (const referencing of table.referencing) {
    await scope.client.query(
      `UPDATE ${referencing} t SET ${table.column} = m.into_id FROM unnest($1::uuid[], $2::uuid[]) AS m(from_id, into_id) WHERE t.${table.column} = m.from_id`,
      params,
    );
  }
  await scope.client.query(`DELETE FROM ${table.owners} WHERE id = ANY($1::uuid[])`, [params[0]]);
}

/** Records the identifiers first seen in this batch. */
export async function insertClaims(scope: TransactionScope, table: AliasedTable, owners: AliasOwners) {
  const claims = owners.finalClaims();
  if (claims.length === 0) return claims;
  await scope.client.query({
    name: `claim_${table.aliases}`,
    text: `INSERT INTO ${table.aliases} (kind, value, ${table.column}) SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[]) ON CONFLICT DO NOTHING`,
    values: [claims.map((c) => c.kind), claims.map((c) => c.value), claims.map((c) => c.ownerId)],
  });
  return claims;
}
