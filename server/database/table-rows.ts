import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { PoolClient } from 'pg';

type Key<T extends PgTable> = Extract<keyof T['_']['columns'], string>;

export interface UpsertShape<T extends PgTable> {
  /** Written when the row is created, never changed by an update (besides the conflict key). */
  insertOnly: ReadonlyArray<Key<T>>;
  /** Left to the column default on insert and untouched on update (counters kept elsewhere, created_at). */
  untouched: ReadonlyArray<Key<T>>;
}

/**
 * Bulk reads and upserts of a Drizzle table in hand-written SQL: rows travel as one JSON parameter and
 * statements are prepared once per connection. Drizzle's query builder costs more than the database work
 * on the ingestion path, so the hot statements bypass it while keeping its column names and row types.
 */
export class TableRows<T extends PgTable> {
  private readonly name: string;
  private readonly columns: Array<[key: string, column: string]>;
  private readonly selectList: string;
  private readonly upserts = new Map<string, string>();

  constructor(table: T) {
    this.name = getTableName(table);
    this.columns = Object.entries(getTableColumns(table)).map(([key, column]) => [key, column.name]);
    this.selectList = this.columns.map(([key, column]) => `"${column}" AS "${key}"`).join(', ');
  }

  /** The rows with these ids, locked for update, in id order (a stable order avoids deadlocks). */
  async lockByIds(client: PoolClient, ids: readonly string[]): Promise<Array<T['$inferSelect']>> {
    if (ids.length === 0) return [];
    const { rows } = await client.query({
      name: `lock_${this.name}`,
      text: `SELECT ${this.selectList} FROM "${this.name}" WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      values: [ids],
    });
    return rows;
  }

  async upsert(client: PoolClient, rows: ReadonlyArray<T['$inferInsert']>, shape: UpsertShape<T>): Promise<void> {
    if (rows.length === 0) return;
    const written = this.columns.filter(([key]) => !shape.untouched.includes(key as Key<T>));
    const payload = rows.map((row) => {
      const record: Record<string, unknown> = {};
      for (const [key, column] of written) record[column] = (row as Record<string, unknown>)[key] ?? null;
      return record;
    });
    await client.query({ name: this.upsertName(shape), text: this.upsertSql(shape, written), values: [JSON.stringify(payload)] });
  }

  private upsertName(shape: UpsertShape<T>) {
    return `upsert_${this.name}_${[...shape.insertOnly, '|', ...shape.untouched].join('_')}`.slice(0, 63);
  }

  private upsertSql(shape: UpsertShape<T>, written: Array<[string, string]>): string {
    const key = this.upsertName(shape);
    let text = this.upserts.get(key);
    if (!text) {
      const list = written.map(([, column]) => `"${column}"`).join(', ');
      const updates = written
        .filter(([k]) => k !== 'id' && !shape.insertOnly.includes(k as Key<T>))
        .map(([, column]) => `"${column}" = excluded."${column}"`)
        .join(', ');
      text = `INSERT INTO "${this.name}" (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::"${this.name}", $1::jsonb) ON CONFLICT (id) DO UPDATE SET ${updates}`;
      this.upserts.set(key, text);
    }
    return text;
  }
}
