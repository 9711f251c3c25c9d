import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { PoolClient } from 'pg';

/**
 * Row reads of a Drizzle table in hand-written, prepared SQL, returned with Drizzle's row types.
 * (Drizzle's query builder costs more than the database work on the ingestion path.)
 */
export class TableRows<T extends PgTable> {
  private readonly name: string;
  /** `"column" AS "key", …` for hand-written selects that should come back with Drizzle's row keys. */
  readonly columnList: string;

  private readonly columns: Array<[key: string, column: string]>;

  constructor(table: T) {
    this.name = getTableName(table);
    this.columns = Object.entries(getTableColumns(table)).map(([key, column]) => [key, column.name]);
    this.columnList = this.columnsOf();
  }

  /** The select list, columns qualified by `alias` when given. */
  columnsOf(alias?: string): string {
    return this.columns.map(([key, column]) => `${alias ? `${alias}.` : ''}"${column}" AS "${key}"`).join(', ');
  }

  /** The rows with these ids, locked for update, in id order (a stable order avoids deadlocks). */
  async lockByIds(client: PoolClient, ids: readonly string[]): Promise<Array<T['$inferSelect']>> {
    if (ids.length === 0) return [];
    const { rows } = await client.query({
      name: `lock_${this.name}`,
      text: `SELECT ${this.columnList} FROM "${this.name}" WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      values: [ids],
    });
    return rows;
  }
}
