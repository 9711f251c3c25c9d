import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkouts, customers } from '../models';
import { createDatabase, createPool } from '../server/database/database';
import { mergeCheckoutRows } from '../server/ingestion/projection/checkout-merge';
import { checkoutRow } from '../server/ingestion/projection/checkout-row';
import { checkoutFactsOf, CheckoutState, mergeCheckouts } from '../server/ingestion/projection/checkout-state';
import { mergeCustomerRows } from '../server/ingestion/projection/customer-merge';
import { customerRow } from '../server/ingestion/projection/customer-row';
import { customerFactsOf, CustomerState, mergeCustomers } from '../server/ingestion/projection/customer-state';
import type { NormalizedEvent } from '../server/ingestion/normalized-event';
import { normalizedEvent } from '../server/ingestion/testing/event-factory';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** A tiny deterministic generator, so a failing case can be replayed from its seed. */
function random(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return { next, pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)], chance: (p: number) => next() < p };
}

function randomEvent(r: ReturnType<typeof random>, sources: string[]): { event: NormalizedEvent; source: string } {
  // Few distinct instants and keys, so ties between clocks are common.
  const at = new Date(Date.UTC(2026, 10, 26, r.pick([10, 10, 11, 13]), r.pick([0, 1]))).toISOString();
  const value = r.pick([10, 20, 30]);
  const event = normalizedEvent({
    key: `k-${r.pick(['a', 'b', 'c', 'd'])}-${Math.floor(r.next() * 1e6)}`,
    at,
    type: r.pick(['checkout_updated', 'payment_failed', 'contact_entered', 'order_completed'] as const),
    stage: r.pick(['cart', 'started', 'contact', 'shipping', 'payment', 'completed', undefined] as const),
    customer: r.chance(0.6)
      ? { email: r.chance(0.5) ? r.pick(['a@x.io', 'b@x.io']) : undefined, phone: r.chance(0.3) ? '+14155552671' : undefined, timezone: r.chance(0.3) ? r.pick(['Europe/Paris', 'UTC']) : undefined }
      : undefined,
    cart: r.chance(0.5) ? { items: [{ sku: 'S', quantity: 1, unit_price: value }], value, currency: 'EUR' } : undefined,
    context: r.chance(0.5) ? { device: r.pick(['mobile', 'desktop']), page: { url: `https://shop.example/${value}` }, utm: r.chance(0.5) ? { source: r.pick(['ig', 'fb']) } : undefined } : undefined,
    order: r.chance(0.2) ? { orderId: r.pick(['o1', 'o2']), revenue: value, currency: 'EUR' } : undefined,
    consent: r.chance(0.4) ? [{ channel: r.pick(['email', 'sms', 'push'] as const), granted: r.chance(0.5) }] : undefined,
  });
  return { event, source: r.pick(sources) };
}

describe('merging in SQL gives what merging in TypeScript gives', () => {
  let database: TestDatabase;
  let pool: Pool;
  const sources: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('merge_sql');
    pool = createPool(database.url, 2);
    for (const name of ['one', 'two']) {
      sources.push((await pool.query("INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ($1, $2, 'x') RETURNING id", [name, randomUUID()])).rows[0].id);
    }
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const now = new Date('2026-11-26T12:00:00Z');
  const fold = <S>(facts: S[], merge: (a: S, b: S) => S) => facts.reduce(merge);

  it('for checkouts, across 300 random pairs of histories', async () => {
    const db = createDatabase(pool);
    const client = await pool.connect();
    try {
      for (let seed = 1; seed <= 300; seed++) {
        const r = random(seed);
        const history = Array.from({ length: 2 + Math.floor(r.next() * 6) }, () => randomEvent(r, sources));
        const cut = 1 + Math.floor(r.next() * (history.length - 1));
        const state = (part: typeof history) => fold<CheckoutState>(part.map(({ event, source }) => checkoutFactsOf(event, source, undefined)), mergeCheckouts);
        const id = randomUUID();
        await mergeCheckoutRows.run(client, [checkoutRow(id, 'ext', state(history.slice(0, cut)), undefined, now)]);
        const { inserted } = await mergeCheckoutRows.run(client, [checkoutRow(id, 'ext', state(history.slice(cut)), undefined, now)]);
        expect(inserted.size).toBe(0);

        const [stored] = await db.select().from(checkouts).where(eq(checkouts.id, id));
        // Timestamps of the row itself and the recovery engine's columns are not part of the projection.
        const { createdAt, updatedAt, abandonedAt, abandonment, recoveredAt, recoveredByMessageId, ...actual } = stored;
        const expected = checkoutRow(id, 'ext', state(history), undefined, now);
        const numeric = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v).toFixed(4));
        expect({ seed, ...JSON.parse(JSON.stringify(actual)) }).toEqual({
          seed,
          ...JSON.parse(JSON.stringify({ ...expected, updatedAt: undefined })),
          cartValue: numeric(expected.cartValue),
          initialCartValue: numeric(expected.initialCartValue),
          orderRevenue: numeric(expected.orderRevenue),
        });
      }
    } finally {
      client.release();
    }
  });

  it('for customers, and an update that changes nothing writes nothing', async () => {
    const db = createDatabase(pool);
    const client = await pool.connect();
    try {
      for (let seed = 1; seed <= 300; seed++) {
        const r = random(seed * 7919);
        const history = Array.from({ length: 2 + Math.floor(r.next() * 6) }, () => randomEvent(r, sources).event);
        const cut = 1 + Math.floor(r.next() * (history.length - 1));
        const state = (part: NormalizedEvent[]) => fold<CustomerState>(part.map(customerFactsOf), mergeCustomers);
        const id = randomUUID();
        await mergeCustomerRows.run(client, [customerRow(id, null, state(history.slice(0, cut)), now)]);
        await mergeCustomerRows.run(client, [customerRow(id, null, state(history.slice(cut)), now)]);
        const [stored] = await db.select().from(customers).where(eq(customers.id, id));
        const { createdAt, updatedAt, ordersCount, lifetimeValue, ...actual } = stored;
        const expected = customerRow(id, null, state(history), now);
        expect({ seed, ...JSON.parse(JSON.stringify(actual)) }).toEqual({ seed, ...JSON.parse(JSON.stringify({ ...expected, updatedAt: undefined })) });

        const version = (await client.query('SELECT xmin::text AS v FROM customers WHERE id = $1', [id])).rows[0].v;
        await mergeCustomerRows.run(client, [customerRow(id, null, state(history.slice(0, cut)), new Date())]);
        expect((await client.query('SELECT xmin::text AS v FROM customers WHERE id = $1', [id])).rows[0].v).toBe(version);
      }
    } finally {
      client.release();
    }
  });
});
