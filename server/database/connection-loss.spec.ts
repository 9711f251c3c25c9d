import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../e2e/support/server-process';
import { createTestDatabase, type TestDatabase } from '../../e2e/support/test-database';
import { errorResponse } from '../http/error-responses';
import { isDatabaseUnavailable } from './connection-errors';
import { createPool } from './database';

/** A connection that dies while checked out must neither crash the process nor be answered as "nothing stored". */
describe('losing a database connection', () => {
  let database: TestDatabase;
  let pool: Pool;
  let admin: Client;

  beforeAll(async () => {
    database = await createTestDatabase('connection_loss');
    pool = createPool(database.url, 2);
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await pool?.end();
    await database?.drop();
  });

  it('a checked-out connection killed between statements fails its next query, and the pool carries on', async () => {
    const client = await pool.connect();
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const ended = new Promise((resolve) => client.once('end', resolve));
    // Without a listener of its own, the 'error' this emits would be an uncaught exception that fails this test.
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await ended;
    const error = await client.query('SELECT 1').catch((e: unknown) => e);
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(errorResponse(error)).toMatchObject({ status: 503, body: { error: 'database_unavailable' } });
    client.release();
    expect((await pool.query<{ n: number }>('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
  });

  it('a connection terminated mid-transaction is reported as unavailable, never as a plain 500', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const sleeping = client.query('SELECT pg_sleep(5)').catch((e: unknown) => e);
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const error = await sleeping;
      expect((error as { code?: string }).code).toBe('57P01');
      expect(errorResponse(error).status).toBe(503);
    } finally {
      client.release(true);
    }
  });

  it('an unreachable server is unavailable; a statement the server refuses is not', async () => {
    const nowhere = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/x`, 1);
    const refused = await nowhere.query('SELECT 1').catch((e: unknown) => e);
    await nowhere.end();
    expect(isDatabaseUnavailable(refused)).toBe(true);

    const syntax = await pool.query('SELEC 1').catch((e: unknown) => e);
    const divisionByZero = await pool.query('SELECT 1 FROM (VALUES (1)) v(x) WHERE 1/0 = 1').catch((e: unknown) => e);
    expect([isDatabaseUnavailable(syntax), isDatabaseUnavailable(divisionByZero)]).toEqual([false, false]);
    expect(errorResponse(syntax).status).toBe(500);
  });
});
