/**
 * One-click checkout latency: 50 concurrent customers, each with a saved address and card, complete checkouts
 * through the real server against the Stripe peer answering every call in a fixed 50 ms. The baseline, in the
 * same run and at the same concurrency, is one bare PaymentIntent call to the peer. Prints p50/p99 and
 * completes/s, then `RESULT {...}` (ratio = our p99 / the peer's p99; target ≤ 1.5). For context it also times
 * completes arriving at a steady rate of half the closed loop's throughput (open loop: latency without queueing
 * for the cores).
 *
 *   npm run bench:checkout [-- --completes 1000 --concurrency 50 --latency 50 --roles split|all]
 *   (--roles split, the default, runs api, worker and scheduler as separate processes, as in production)
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createPool } from '../server/database/database';
import { startStripePeer } from '../e2e/peers/stripe-peer';
import { insertStorefrontSource } from '../e2e/support/storefront-source';
import { createTestDatabase } from '../e2e/support/test-database';
import { commandCpuSeconds } from './cpu-time';
import { parseTopology, startDeployment } from './deployment';

const { values } = parseArgs({ options: { completes: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '50' }, latency: { type: 'string', default: '50' }, roles: { type: 'string', default: 'split' } } });
const TOPOLOGY = parseTopology(values.roles);
const COMPLETES = Number(values.completes);
const CONCURRENCY = Number(values.concurrency);
const LATENCY = Number(values.latency);
for (const [name, v] of Object.entries({ completes: COMPLETES, concurrency: CONCURRENCY, latency: LATENCY })) {
  if (!Number.isInteger(v) || v < 0 || (name !== 'latency' && v === 0)) throw new Error(`--${name} must be a positive integer`);
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const round = (x: number) => Math.round(x * 10) / 10;

/** Runs `total` calls of `call`, `concurrency` at a time; returns each call's latency in ms and the wall time. */
async function measure(total: number, concurrency: number, call: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        await call(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

async function main() {
  const stripe = await startStripePeer({ latencyMs: LATENCY });
  const database = await createTestDatabase('bench-checkout');
  const pool = createPool(database.url, 2);
  const { serverKey } = await insertStorefrontSource(pool, 'Bench store');
  const server = await startDeployment(TOPOLOGY, {
    DATABASE_URL: database.url,
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'warn',
    SWEEP_INTERVAL_S: '3600',
    REDIS_PREFIX: `bench-${randomUUID().slice(0, 8)}`,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
    PAYMENT_PROVIDERS: 'stripe',
    PAYMENT_MAX_ATTEMPTS_PER_CARD: '1000',
    DATABASE_POOL_SIZE: '20',
  });
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${serverKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json as { id: string; order_id?: string };
  };
  try {
    const customers = Array.from({ length: CONCURRENCY }, (_, i) => `bench-customer-${i}`);
    for (const c of customers) {
      await api('POST', `/v1/customers/${c}/addresses`, { address: { name: 'Ada', line1: '1 Main Street', city: 'Springfield', region: 'IL', postalCode: '62701', countryCode: 'US' } });
      await api('POST', `/v1/customers/${c}/payment-methods`, { provider: 'stripe', token: 'pm_card_visa', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 });
    }
    const cart = { items: [{ sku: 'sku-1', name: 'Thing', quantity: 1, unit_price: 25 }], currency: 'USD' };
    const checkouts: string[] = [];
    const OPEN_LOOP = Math.ceil(COMPLETES / 2);
    for (let i = 0; i < COMPLETES + CONCURRENCY + OPEN_LOOP; i++) checkouts.push((await api('POST', '/v1/checkouts', { customer_id: customers[i % CONCURRENCY], cart })).id);

    // Warm-up: one complete per customer, not measured.
    await measure(CONCURRENCY, CONCURRENCY, async (i) => void (await api('POST', `/v1/checkouts/${checkouts[COMPLETES + i]}/complete`)));
    const cpu0 = { server: server.cpuSeconds(), postgres: commandCpuSeconds('postgres'), here: process.cpuUsage() };
    const ours = await measure(COMPLETES, CONCURRENCY, async (i) => {
      const done = await api('POST', `/v1/checkouts/${checkouts[i]}/complete`);
      if (!done.order_id) throw new Error(`complete ${checkouts[i]} gave no order`);
    });
    const here = process.cpuUsage(cpu0.here);
    const perComplete = (seconds: number) => round((seconds * 1000) / COMPLETES);
    const cpu = {
      server_ms: perComplete(server.cpuSeconds() - cpu0.server),
      postgres_ms: perComplete(commandCpuSeconds('postgres') - cpu0.postgres),
      peer_and_load_ms: perComplete((here.user + here.system) / 1e6),
    };

    // Open loop: completes arrive at half the closed loop's rate, each on its own, whether or not the last answered.
    const rate = COMPLETES / ours.seconds / 2;
    const openLoop: number[] = [];
    const openStarted = performance.now();
    await Promise.all(
      Array.from({ length: OPEN_LOOP }, async (_, n) => {
        await new Promise((resolve) => setTimeout(resolve, (n * 1000) / rate));
        const t0 = performance.now();
        const done = await api('POST', `/v1/checkouts/${checkouts[COMPLETES + CONCURRENCY + n]}/complete`);
        if (!done.order_id) throw new Error(`complete ${checkouts[COMPLETES + CONCURRENCY + n]} gave no order`);
        openLoop.push(performance.now() - t0);
      }),
    );
    const openSeconds = (performance.now() - openStarted) / 1000;

    const bare = await measure(COMPLETES, CONCURRENCY, async (i) => {
      const response = await fetch(`${stripe.url}/v1/payment_intents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': `bare-${i}` },
        body: new URLSearchParams({ amount: '2500', currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true' }).toString(),
      });
      if (response.status !== 200) throw new Error(`bare call: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    });

    // For context: the two calls a charge of ours makes (create unconfirmed, then confirm), bare, back to back.
    const pair = await measure(COMPLETES, CONCURRENCY, async (i) => {
      const post = async (path: string, params: Record<string, string>, key: string) => {
        const response = await fetch(`${stripe.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': key },
          body: new URLSearchParams(params).toString(),
        });
        if (response.status !== 200) throw new Error(`bare pair: ${response.status} ${await response.text()}`);
        return (await response.json()) as { id: string };
      };
      const intent = await post('/v1/payment_intents', { amount: '2500', currency: 'usd', payment_method: 'pm_card_visa' }, `pair-${i}:create`);
      await post(`/v1/payment_intents/${intent.id}/confirm`, {}, `pair-${i}:confirm`);
    });

    const charges = stripe.succeededCharges().length;
    const result = {
      name: 'checkout',
      metric: 'complete_p99_ms',
      value: round(percentile(ours.latencies, 99)),
      baseline: 'bare_provider_call_p99_ms',
      baseline_value: round(percentile(bare.latencies, 99)),
      ratio: Math.round((percentile(ours.latencies, 99) / percentile(bare.latencies, 99)) * 1000) / 1000,
      p50_ms: round(percentile(ours.latencies, 50)),
      completes_per_s: round(COMPLETES / ours.seconds),
      baseline_p50_ms: round(percentile(bare.latencies, 50)),
      provider_calls_per_complete: 2,
      bare_charge_pair_p99_ms: round(percentile(pair.latencies, 99)),
      ratio_vs_charge_pair: Math.round((percentile(ours.latencies, 99) / percentile(pair.latencies, 99)) * 1000) / 1000,
      half_load_per_s: round(rate),
      half_load_p50_ms: round(percentile(openLoop, 50)),
      half_load_p99_ms: round(percentile(openLoop, 99)),
      half_load_ratio: Math.round((percentile(openLoop, 99) / percentile(bare.latencies, 99)) * 1000) / 1000,
      cpu_per_complete: cpu,
      concurrency: CONCURRENCY,
      peer_latency_ms: LATENCY,
      completes: COMPLETES,
      roles: TOPOLOGY,
      charges_at_peer: charges,
    };
    console.log(`one-click complete: p50 ${result.p50_ms} ms, p99 ${result.value} ms, ${result.completes_per_s} completes/s at ${CONCURRENCY} concurrent customers`);
    console.log(`open loop at ${result.half_load_per_s} completes/s (half that rate; ${OPEN_LOOP} in ${openSeconds.toFixed(1)} s): p50 ${result.half_load_p50_ms} ms, p99 ${result.half_load_p99_ms} ms`);
    console.log(`bare peer call:     p50 ${result.baseline_p50_ms} ms, p99 ${result.baseline_value} ms`);
    console.log(`bare create+confirm pair: p99 ${result.bare_charge_pair_p99_ms} ms`);
    console.log(`CPU per complete: server ${cpu.server_ms} ms, PostgreSQL ${cpu.postgres_ms} ms, peer and load ${cpu.peer_and_load_ms} ms (2 cores)`);
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await server.stop();
    await pool.end();
    await database.drop();
    await stripe.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
