import { drizzle, NodePgDatabase } from 'drizzle-orm/node-postgres';
import { Pool, PoolConfig } from 'pg';
import * as schema from '../../models';

export type Database = NodePgDatabase<typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export const PG_POOL = Symbol('PG_POOL');
export const DATABASE = Symbol('DATABASE');

export function createPool(connectionString: string, max: number, extra: PoolConfig = {}): Pool {
  return new Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, ...extra });
}

export function createDatabase(pool: Pool): Database {
  return drizzle(pool, { schema });
}
