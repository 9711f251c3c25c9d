import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../server/database/database';
import { startStripePeer, type StripePeer } from './peers/stripe-peer';
import { eventually } from './support/eventually';
import { startServerProcess } from './support/server-process';
import { insertStorefrontSource } from './support/storefront-source';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/** kill -9 between the provider's charge and our commit: the restarted server records the order and never charges again. */
describe('a crash in the middle of a one-click payment', () => {
  let database: TestDatabase;
  let pool: Pool;
  let stripe: StripePeer;
  let serverKey: string;

  beforeAll(async () => {
    stripe = await startStripePeer();
    database = await createTestDatabase('checkout_crash');
    pool = createPool(database.url, 2);
    serverKey = (await insertStorefrontSource(pool, 'Crash shop')).serverKey;
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
    await stripe?.close();
  });

  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: database.url,
    MIGRATE_ON_START: 'false',
    SWEEP_INTERVAL_S: '3600',
    REDIS_PREFIX: `crash-${database.name}`,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
    PAYMENT_PROVIDERS: 'stripe',
    PAYMENT_TIMEOUT_MS: '30000',
    ...extra,
  });

  it('records the order from the provider’s record after a restart, with exactly one charge', async () => {
    const server = await startServerProcess(env());
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${serverKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    await api('POST', '/v1/customers/crash-1/addresses', { address: { line1: '1 Main Street', city: 'Springfield', region: 'IL', postalCode: '62701', countryCode: 'US' } });
    await api('POST', '/v1/customers/crash-1/payment-methods', { provider: 'stripe', token: 'pm_card_visa', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 });
    const checkout = (await (await api('POST', '/v1/checkouts', { customer_id: 'crash-1', cart: { items: [{ sku: 'a', quantity: 1, unit_price: 42 }], currency: 'USD' } })).json()) as { id: string };

    // The confirm is processed (the card is charged) but its answer never comes; the server dies waiting.
    stripe.failNext('timeout_after', { operation: 'confirm' });
    const pending = api('POST', `/v1/checkouts/${checkout.id}/complete`, {}).catch(() => 'connection lost');
    await eventually(
      async () => stripe.succeededCharges().length,
      (n) => n === 1,
    );
    server.child.kill('SIGKILL');
    expect(await pending).toBe('connection lost');
    await server.exited;
    const { rows: left } = await pool.query(`SELECT state FROM checkout_sessions WHERE public_id = $1`, [checkout.id]);
    expect(left[0].state).toBe('charging');
    expect((await pool.query(`SELECT count(*)::int AS n FROM orders`)).rows[0].n).toBe(0);

    const restarted = await startServerProcess(env({ CHECKOUT_RECONCILE_AFTER_S: '1', CHECKOUT_RECONCILE_INTERVAL_S: '1' }));
    try {
      const { rows } = await eventually(
        () => pool.query(`SELECT s.state, s.order_id, c.status FROM checkout_sessions s JOIN checkouts c ON c.id = s.checkout_id WHERE s.public_id = $1`, [checkout.id]),
        (r) => r.rows[0]?.state === 'completed',
        20_000,
      );
      expect(rows[0]).toMatchObject({ order_id: `or_${checkout.id.slice(3)}`, status: 'completed' });
      expect((await pool.query(`SELECT revenue FROM orders WHERE order_id = $1`, [`or_${checkout.id.slice(3)}`])).rows[0].revenue).toBe('42.0000');
      const again = await fetch(`${restarted.url}/v1/checkouts/${checkout.id}/complete`, { method: 'POST', headers: { authorization: `Bearer ${serverKey}` } });
      expect(((await again.json()) as { order_id: string }).order_id).toBe(`or_${checkout.id.slice(3)}`);
      expect(stripe.succeededCharges()).toHaveLength(1);
      expect(stripe.succeededCharges()[0]).toMatchObject({ amount: 4200 });
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  }, 90_000);
});
