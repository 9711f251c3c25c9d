import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { PoolClient } from 'pg';

/**
 * How a column of a stored row absorbs the same column of an incoming row. The rules mirror the
 * projection's merge in TypeScript (server/ingestion/projection), so that merging in SQL gives the row
 * the TypeScript merge of both states would. Clocks are `<ISO time>|<event key>` strings kept in a JSON
 * `clocks` column; compared as byte strings they order by time, then key.
 */
export type MergeRule =
  | { rule: 'key' }
  /** Written on insert, never changed afterwards. */
  | { rule: 'insertOnly' }
  /** Left to the default on insert, never touched by the merge (kept by other code). */
  | { rule: 'untouched' }
  /** The incoming value replaces the stored one (e.g. updated_at). */
  | { rule: 'replace' }
  /** The first non-null value stays. */
  | { rule: 'keepFirst' }
  /** Part of a last-writer-wins group: the side whose clock `clock` is later wins. */
  | { rule: 'latest'; clock: string }
  /** Part of a first-writer-wins group (first-touch attribution). */
  | { rule: 'earliest'; clock: string }
  | { rule: 'min' }
  | { rule: 'max' }
  | { rule: 'sum' }
  /** A JSON object of ISO timestamps under known keys: per key, the earlier. */
  | { rule: 'minPerKey'; keys: readonly string[] }
  /** A JSON object of `{ ..., at, by }` entries under known keys: per key, the one stated last. */
  | { rule: 'latestPerKey'; keys: readonly string[] }
  /** The clocks column itself: per group, the later clock (the earlier for first-touch groups). */
  | { rule: 'clocks' }
  /** Derived from other merged columns: `merged(key)` gives the SQL of a column's merged value. */
  | { rule: 'derived'; sql: (merged: (key: string) => string, stored: (key: string) => string) => string };

export type MergeSpec<T extends PgTable> = { [K in Extract<keyof T['_']['columns'], string>]: MergeRule };

export interface MergeOptions {
  /** Skip the update when it would change nothing (no new row version, no WAL). */
  skipUnchanged?: boolean;
}

const C = 'COLLATE "C"';

/** Builds the merged-value SQL of each column of a spec. */
function mergeExpressions(columns: Map<string, string>, rules: Record<string, MergeRule>) {
  const col = (key: string) => {
    const name = columns.get(key);
    if (!name) throw new Error(`no column for "${key}" in merge spec`);
    return `"${name}"`;
  };
  const clocksColumn = [...columns.keys()].find((key) => rules[key].rule === 'clocks');
  const clock = (side: 't' | 'excluded', group: string) => `(${side}.${col(clocksColumn!)}->>'${group}') ${C}`;
  const groups = new Map<string, 'latest' | 'earliest'>();
  for (const rule of Object.values(rules)) if (rule.rule === 'latest' || rule.rule === 'earliest') groups.set(rule.clock, rule.rule);

  const merged = (key: string): string => {
    const rule = rules[key];
    const c = col(key);
    switch (rule.rule) {
      case 'key':
      case 'insertOnly':
      case 'untouched':
        return `t.${c}`;
      case 'replace':
        return `excluded.${c}`;
      case 'keepFirst':
        return `coalesce(t.${c}, excluded.${c})`;
      case 'latest':
        return `CASE WHEN ${clock('excluded', rule.clock)} > coalesce(${clock('t', rule.clock)}, '') THEN excluded.${c} ELSE t.${c} END`;
      case 'earliest':
        return `CASE WHEN ${clock('excluded', rule.clock)} < coalesce(${clock('t', rule.clock)}, '~') THEN excluded.${c} ELSE t.${c} END`;
      case 'min':
        return `LEAST(t.${c}, excluded.${c})`;
      case 'max':
        return `GREATEST(t.${c}, excluded.${c})`;
      case 'sum':
        return `t.${c} + excluded.${c}`;
      case 'minPerKey':
        return `jsonb_strip_nulls(jsonb_build_object(${rule.keys.map((k) => `'${k}', LEAST((t.${c}->>'${k}') ${C}, (excluded.${c}->>'${k}') ${C})`).join(', ')}))`;
      case 'latestPerKey': {
        const stamp = (side: string, k: string) => `((${side}.${c}->'${k}'->>'at') || '|' || (${side}.${c}->'${k}'->>'by')) ${C}`;
        return `jsonb_strip_nulls(jsonb_build_object(${rule.keys
          .map((k) => `'${k}', CASE WHEN ${stamp('excluded', k)} > coalesce(${stamp('t', k)}, '') THEN excluded.${c}->'${k}' ELSE t.${c}->'${k}' END`)
          .join(', ')}))`;
      }
      case 'clocks':
        return `jsonb_strip_nulls(jsonb_build_object(${[...groups]
          .map(([group, kind]) => `'${group}', ${kind === 'latest' ? 'GREATEST' : 'LEAST'}(${clock('t', group)}, ${clock('excluded', group)})`)
          .join(', ')}))`;
      case 'derived':
        return rule.sql(merged, (k) => `t.${col(k)}`);
    }
  };
  return { merged, stored: (key: string) => `t.${col(key)}` };
}

/**
 * `INSERT ... ON CONFLICT (id) DO UPDATE` that merges instead of overwriting, for a whole batch in one
 * statement: rows travel as one JSON parameter, every merge is an inline expression (no function calls),
 * and the statement is prepared once per connection. Returns the ids that were inserted, not merged.
 */
export class MergeUpsert<T extends PgTable> {
  private readonly written: Array<[key: string, column: string]>;
  private readonly sql: string;
  private readonly name: string;

  constructor(table: T, spec: MergeSpec<T>, options: MergeOptions = {}) {
    const tableName = getTableName(table);
    const columns = new Map(Object.entries(getTableColumns(table)).map(([key, column]) => [key, column.name]));
    const rules = spec as Record<string, MergeRule>;
    const { merged, stored } = mergeExpressions(columns, rules);

    this.written = [...columns].filter(([key]) => rules[key].rule !== 'untouched');
    const list = this.written.map(([, column]) => `"${column}"`).join(', ');
    const updated = this.written.filter(([key]) => !['key', 'insertOnly'].includes(rules[key].rule));
    const set = updated.map(([key, column]) => `"${column}" = ${merged(key)}`).join(',\n  ');
    const watched = updated.filter(([key]) => rules[key].rule !== 'replace');
    const where = options.skipUnchanged
      ? `\nWHERE (${watched.map(([key]) => merged(key)).join(', ')}) IS DISTINCT FROM (${watched.map(([key]) => stored(key)).join(', ')})`
      : '';
    this.sql = `INSERT INTO "${tableName}" AS t (${list})
SELECT ${list} FROM jsonb_populate_recordset(NULL::"${tableName}", $1::jsonb)
ON CONFLICT (id) DO UPDATE SET
  ${set}${where}
RETURNING id, (xmax = 0) AS inserted`;
    this.name = `merge_${tableName}`;
  }

  async run(client: PoolClient, rows: ReadonlyArray<T['$inferInsert']>): Promise<{ inserted: Set<string> }> {
    if (rows.length === 0) return { inserted: new Set() };
    // Absent keys read as NULL in jsonb_populate_recordset, so nulls need not travel.
    const payload = rows.map((row) => {
      const record: Record<string, unknown> = {};
      for (const [key, column] of this.written) {
        const value = (row as Record<string, unknown>)[key];
        if (value !== null && value !== undefined) record[column] = value;
      }
      return record;
    });
    const result = await client.query<{ id: string; inserted: boolean }>({ name: this.name, text: this.sql, values: [JSON.stringify(payload)] });
    return { inserted: new Set(result.rows.filter((r) => r.inserted).map((r) => r.id)) };
  }
}
