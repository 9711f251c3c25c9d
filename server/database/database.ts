import { drizzle, NodePgDatabase } from 'drizzle-orm/node-postgres';
import { Logger } from '@nestjs/common';
import { Pool, PoolConfig } from 'pg';
import * as schema from '../../models';
import { prepareRepeatedStatements } from './prepared-statements';

export type Database = NodePgDatabase<typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export const PG_POOL = Symbol('PG_POOL');
export const DATABASE = Symbol('DATABASE');

/**
 * JIT is off for our connections: the statements we run are short, but a batch of thousands (a report fold, a
 * sweep) crosses JIT's cost thresholds and compiling then took seconds for a statement that runs in milliseconds.
 */
const SESSION_OPTIONS = '-c jit=off';

export interface PoolOptions {
  /** Prepare statements a connection runs repeatedly (see prepareRepeatedStatements). Default true. */
  preparedStatements?: boolean;
}

export function createPool(connectionString: string, max: number, extra: PoolConfig = {}, { preparedStatements = true }: PoolOptions = {}): Pool {
  const options = [SESSION_OPTIONS, extra.options].filter(Boolean).join(' ');
  const pool = new Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, ...extra, options });
  if (preparedStatements) pool.on('connect', prepareRepeatedStatements);
  // An idle connection dropped by the server (restart, failover) must not crash the process; the pool replaces it.
  pool.on('error', (error) => logger.warn(`idle database connection lost: ${error.message}`));
  // pg-pool listens for errors only while a client is idle: a checked-out client whose connection dies between
  // statements (a send waiting on the provider, a transaction between queries) would emit 'error' with no
  // listener and kill the process. Its holder learns of it from the next query, and the pool discards it on release.
  pool.on('connect', (client) => client.on('error', ignoreInUseConnectionError));
  return pool;
}

const logger = new Logger('Database');

function ignoreInUseConnectionError(): void {
  // see createPool: the error surfaces to the connection's holder through its next query
}

export function createDatabase(pool: Pool): Database {
  return drizzle(pool, { schema });
}
