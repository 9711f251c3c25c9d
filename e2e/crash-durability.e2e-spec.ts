import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool } from '../server/database/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWriteKey, hashWriteKey, writeKeyPrefix } from '../server/sources/write-key';
import { ServerProcess, startServerProcess } from './support/server-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** Every event answered 2xx is committed: kill -9 the server under load and count. */
describe('durability of acknowledged events', () => {
  let database: TestDatabase;
  let pool: Pool;
  let key: string;

  beforeAll(async () => {
    database = await createTestDatabase('crash');
    pool = createPool(database.url, 2);
    key = generateWriteKey();
    await pool.query('INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ($1, $2, $3)', ['crash', hashWriteKey(key), writeKeyPrefix(key)]);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  async function loadUntilKilled(server: ServerProcess, killAfterAcked: number) {
    const acked: string[] = [];
    const attempted: string[] = [];
    let killed = false;
    const worker = async (w: number) => {
      for (let n = 0; !killed; n++) {
        const events = Array.from({ length: 25 }, (_, i) => ({
          event_id: randomUUID(),
          type: i === 0 ? 'checkout_started' : 'checkout_updated',
          occurred_at: new Date().toISOString(),
          checkout_id: `crash-${w}-${n}-${i % 5}`,
          customer: { anonymous_id: `anon-${w}-${n}` },
          cart: { items: [{ sku: 'A', quantity: 1 + i, unit_price: 9.5 }], currency: 'USD' },
        }));
        attempted.push(...events.map((e) => e.event_id));
        try {
          const response = await fetch(`${server.url}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body: JSON.stringify({ events }),
          });
          if (response.status === 200) acked.push(...events.map((e) => e.event_id));
          else await response.text();
        } catch {
          return; // the server is gone
        }
        if (!killed && acked.length >= killAfterAcked) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    return { acked, attempted };
  }

  it('finds every acknowledged event in the database after SIGKILL mid-load', async () => {
    const server = await startServerProcess({ DATABASE_URL: database.url, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`, MIGRATE_ON_START: 'false' });
    const { acked, attempted } = await loadUntilKilled(server, 2_000);
    expect(await server.exited).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(2_000);

    const stored = new Set((await pool.query<{ event_id: string }>('SELECT event_id FROM events')).rows.map((r) => r.event_id));
    const lost = acked.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    // Requests cut off by the kill either committed whole or not at all; never half a batch.
    const inFlight = attempted.filter((id) => !acked.includes(id));
    const partial = [];
    for (let i = 0; i < inFlight.length; i += 25) {
      const batch = inFlight.slice(i, i + 25);
      const n = batch.filter((id) => stored.has(id)).length;
      if (n !== 0 && n !== batch.length) partial.push(n);
    }
    expect(partial).toEqual([]);
    const checkoutsWithoutEvents = (await pool.query('SELECT count(*)::int AS n FROM checkouts c WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.checkout_id = c.id)')).rows[0].n;
    expect(checkoutsWithoutEvents).toBe(0);
  });

  it('on SIGTERM finishes the requests in flight, then exits cleanly', async () => {
    const server = await startServerProcess({ DATABASE_URL: database.url, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`, MIGRATE_ON_START: 'false' });
    const batches = Array.from({ length: 40 }, () =>
      Array.from({ length: 50 }, () => ({ event_id: randomUUID(), type: 'page_viewed', occurred_at: new Date().toISOString(), customer: { anonymous_id: randomUUID() } })),
    );
    const requests = batches.map((events) =>
      fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ events }),
      }).then(
        (r) => r.status,
        () => 'refused',
      ),
    );
    await new Promise((r) => setTimeout(r, 30));
    server.child.kill('SIGTERM');
    const statuses = await Promise.all(requests);
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toMatch(/"level":"(error|fatal)"/);

    const stored = new Set((await pool.query<{ event_id: string }>('SELECT event_id FROM events')).rows.map((r) => r.event_id));
    batches.forEach((events, i) => {
      const n = events.filter((e) => stored.has(e.event_id)).length;
      if (statuses[i] === 200) expect(n).toBe(events.length);
      else expect({ status: statuses[i], stored: n }).toEqual({ status: statuses[i], stored: 0 });
    });
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
  });
});
