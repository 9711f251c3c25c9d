import { eq } from 'drizzle-orm';
import type { Pool, PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../e2e/support/test-database';
import { sources } from '../../models';
import { createDatabase, createPool } from './database';
import { MAX_NAMED_STATEMENTS } from './prepared-statements';

const prepared = async (client: PoolClient) =>
  (await client.query<{ statement: string }>({ text: 'SELECT statement FROM pg_prepared_statements ORDER BY prepare_time' })).rows.map((r) => r.statement);

describe('prepared statements', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('prepared_statements');
    pool = createPool(database.url, 1);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('prepares a parameterised statement from its second run on, and answers the same each time', async () => {
    const client = await pool.connect();
    try {
      const text = 'SELECT $1::int + 1 AS n';
      expect((await client.query(text, [1])).rows).toEqual([{ n: 2 }]);
      expect(await prepared(client)).not.toContain(text);
      expect((await client.query({ text, values: [2] })).rows).toEqual([{ n: 3 }]);
      expect(await prepared(client)).toContain(text);
      expect((await client.query(text, [3])).rows).toEqual([{ n: 4 }]);
      expect((await prepared(client)).filter((s) => s === text)).toHaveLength(1);
    } finally {
      client.release();
    }
  });

  it('leaves statements without parameters unnamed', async () => {
    const client = await pool.connect();
    try {
      for (let i = 0; i < 3; i++) {
        await client.query('BEGIN');
        await client.query('SELECT 42 AS answer');
        await client.query('COMMIT');
      }
      expect((await prepared(client)).filter((s) => /BEGIN|COMMIT|answer/.test(s))).toEqual([]);
    } finally {
      client.release();
    }
  });

  it("works for pool.query's callback form, a callback in the query config, and Drizzle's array rows", async () => {
    for (let i = 0; i < 3; i++) expect((await pool.query('SELECT $1::text AS v', [`x${i}`])).rows).toEqual([{ v: `x${i}` }]);
    const client = await pool.connect();
    try {
      for (let i = 0; i < 3; i++) {
        const rows = await new Promise((resolve, reject) =>
          client.query({ text: 'SELECT $1::int * 2 AS twice', values: [i], callback: (error: Error | null, result: { rows: unknown[] }) => (error ? reject(error) : resolve(result.rows)) } as never),
        );
        expect(rows).toEqual([{ twice: i * 2 }]);
      }
      expect(await prepared(client)).toContain('SELECT $1::int * 2 AS twice');
    } finally {
      client.release();
    }
    const db = createDatabase(pool);
    const [source] = await db.insert(sources).values({ name: 'Prepared', writeKeyHash: 'h-prepared', writeKeyPrefix: 'wk_prep' }).returning();
    for (let i = 0; i < 3; i++) {
      const rows = await db.select({ id: sources.id, name: sources.name }).from(sources).where(eq(sources.id, source.id));
      expect(rows).toEqual([{ id: source.id, name: 'Prepared' }]);
    }
  });

  it(`names at most ${MAX_NAMED_STATEMENTS} statements per connection; the rest still run, unnamed`, async () => {
    const small = createPool(database.url, 1);
    const client = await small.connect();
    try {
      const count = MAX_NAMED_STATEMENTS + 10;
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < count; i++) expect((await client.query(`SELECT $1::int AS n${i}`, [i])).rows).toEqual([{ [`n${i}`]: i }]);
      }
      expect(await prepared(client)).toHaveLength(MAX_NAMED_STATEMENTS);
    } finally {
      client.release();
      await small.end();
    }
  });

  it('prepares a statement afresh once a migration changed the table it reads', async () => {
    const client = await pool.connect();
    try {
      await client.query('CREATE TABLE reshaped (id int PRIMARY KEY)');
      await client.query('INSERT INTO reshaped VALUES (1)');
      const read = () => client.query('SELECT * FROM reshaped WHERE id = $1', [1]);
      await read();
      await read();
      await client.query('ALTER TABLE reshaped ADD COLUMN label text');
      // PostgreSQL refuses the old plan once (its result would change shape)...
      await expect(read()).rejects.toMatchObject({ code: '0A000' });
      // ...and the statement is prepared again under a new name.
      expect((await read()).rows).toEqual([{ id: 1, label: null }]);
      expect((await read()).rows).toEqual([{ id: 1, label: null }]);
    } finally {
      client.release();
    }
  });

  it('prepares nothing when turned off (DATABASE_PREPARED_STATEMENTS=false)', async () => {
    const plain = createPool(database.url, 1, {}, { preparedStatements: false });
    const client = await plain.connect();
    try {
      for (let i = 0; i < 3; i++) await client.query('SELECT $1::int AS n', [i]);
      expect(await prepared(client)).toEqual([]);
    } finally {
      client.release();
      await plain.end();
    }
  });
});
