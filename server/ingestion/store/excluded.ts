import { getTableColumns, sql, SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** `SET col = excluded.col` for every column of an upsert but the ones named in `keep`. */
export function takeExcluded<T extends PgTable>(table: T, keep: ReadonlyArray<keyof T['_']['columns']>): Record<string, SQL> {
  const set: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (!keep.includes(key)) set[key] = sql.raw(`excluded."${column.name}"`);
  }
  return set;
}
