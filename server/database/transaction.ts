import { drizzle } from 'drizzle-orm/node-postgres';
import { Pool, PoolClient } from 'pg';
import type { Database } from './database';

/** Thrown inside a transaction when it saw the world change under it and should simply run again. */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryTransaction';
  }
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock detected

export interface TransactionScope {
  /** For hand-written SQL (bulk statements with array parameters). */
  client: PoolClient;
  /** The same connection through Drizzle, for typed queries. */
  db: Database;
}

/** Runs `work` in one transaction on one connection, retrying on deadlocks and serialization failures. */
export async function inTransaction<T>(pool: Pool, work: (scope: TransactionScope) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      // Without the relational schema: building its config on every transaction cost more than most queries in it.
      const result = await work({ client, db: drizzle(client) as unknown as Database });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      const code = (error as { code?: string }).code;
      const retryable = error instanceof RetryTransaction || (code !== undefined && RETRYABLE.has(code));
      if (!retryable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    } finally {
      client.release(broken);
    }
  }
}
