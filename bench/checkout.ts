/**
 * One-click checkout latency at a realistic rate. Completions arrive open-loop at a fixed rate (default 40/s, i.e.
 * 80 provider operations/s, under Stripe's default limit of 100/s), each a fresh one-click checkout (saved address
 * and card) completed through the real server against the Stripe peer answering every call in a fixed 50 ms. The
 * baseline, in the same run, at the same rate and against the same peer, is the bare pair of calls our charge makes
 * (create unconfirmed, then confirm). RESULT `ratio` = our p99 / the bare pair's p99 (target ≤ 1.5). Open-loop
 * latencies count from each request's scheduled send time, so a client that falls behind cannot hide queueing
 * (coordinated omission; see `openLoop`).
 *
 * Secondary, in the same RESULT line: a closed loop of `--concurrency` customers, each sending its next complete
 * as soon as the last answers, for the maximum completes/s this machine reaches and the CPU per completion
 * (server, PostgreSQL, peer + load generator). Its latency is queueing for the cores, not what a shopper waits.
 *
 *   npm run bench:checkout [-- --rate 40 --completes 1000 --concurrency 50 --latency 50 --roles split|all]
 *   (--completes is the count per measured phase; --roles split, the default, runs api, worker and scheduler as
 *   separate processes, as in production)
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createPool } from '../server/database/database';
import { startStripePeer } from '../e2e/peers/stripe-peer';
import { insertStorefrontSource } from '../e2e/support/storefront-source';
import { createTestDatabase } from '../e2e/support/test-database';
import { CheckoutBenchUsageError, parseCheckoutBenchArgs, type CheckoutBenchOptions } from './checkout-args';
import { closedLoop, openLoop, percentile, type LoadRun } from './checkout-load';
import { machineBusyCpuSeconds } from './checkout-machine';
import { backendsCpuBetween, commandCpuSeconds, databaseBackendsCpu } from './cpu-time';
import { startDeployment } from './deployment';

const TARGET_RATIO = 1.5;
const round = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** A phase whose calls failed is not a measurement: stop with the first error. */
function mustSucceed<T extends LoadRun>(phase: string, run: T): T {
  if (run.errors > 0) throw new Error(`${phase}: ${run.errors} of ${run.errors + run.latencies.length} calls failed; first: ${String((run.firstError as Error)?.message ?? run.firstError)}`);
  return run;
}

async function run(options: CheckoutBenchOptions) {
  const { completes: COMPLETES, rate: RATE, concurrency: CONCURRENCY, latency: LATENCY, roles: TOPOLOGY } = options;
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
  const complete = async (checkout: string) => {
    const done = await api('POST', `/v1/checkouts/${checkout}/complete`);
    if (!done.order_id) throw new Error(`complete ${checkout} gave no order`);
  };
  /** Exactly the two calls our charge makes: create an unconfirmed PaymentIntent, then confirm it. */
  const bareChargePair = async (key: string) => {
    const post = async (path: string, params: Record<string, string>, idempotencyKey: string) => {
      const response = await fetch(`${stripe.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': idempotencyKey },
        body: new URLSearchParams(params).toString(),
      });
      if (response.status !== 200) throw new Error(`bare pair: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string };
    };
    const intent = await post('/v1/payment_intents', { amount: '2500', currency: 'usd', payment_method: 'pm_card_visa' }, `${key}:create`);
    await post(`/v1/payment_intents/${intent.id}/confirm`, {}, `${key}:confirm`);
  };
  try {
    const customers = Array.from({ length: CONCURRENCY }, (_, i) => `bench-customer-${i}`);
    for (const c of customers) {
      await api('POST', `/v1/customers/${c}/addresses`, { address: { name: 'Ada', line1: '1 Main Street', city: 'Springfield', region: 'IL', postalCode: '62701', countryCode: 'US' } });
      await api('POST', `/v1/customers/${c}/payment-methods`, { provider: 'stripe', token: 'pm_card_visa', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 });
    }
    // Every completion is of a fresh checkout, created up front so creating them is not timed.
    const cart = { items: [{ sku: 'sku-1', name: 'Thing', quantity: 1, unit_price: 25 }], currency: 'USD' };
    const createCheckouts = async (count: number) => {
      const ids: string[] = new Array(count);
      await closedLoop(count, 8, async (i) => void (ids[i] = (await api('POST', '/v1/checkouts', { customer_id: customers[i % CONCURRENCY], cart })).id));
      if (ids.some((id) => !id)) throw new Error('creating the checkouts failed');
      return ids;
    };
    const warmUp = await createCheckouts(CONCURRENCY);
    const openLoopCheckouts = await createCheckouts(COMPLETES);
    const closedLoopCheckouts = await createCheckouts(COMPLETES);

    // Warm-up, not measured: one complete per customer, and as many bare pairs.
    mustSucceed('warm-up', await closedLoop(CONCURRENCY, CONCURRENCY, (i) => complete(warmUp[i])));
    mustSucceed('warm-up pair', await closedLoop(CONCURRENCY, CONCURRENCY, (i) => bareChargePair(`warm-${i}`)));

    // Headline: ours, then the bare pair, each open-loop at the same rate against the same peer. One after the other
    // rather than interleaved, so the pair's baseline is not slowed by our server's CPU on the same two cores.
    // The cores are shared with other work: measure how busy the whole machine was during our open loop, and how
    // much of that was this run (server processes, this database's backends, this process with the peer).
    const backendsCpu = () => databaseBackendsCpu((sql, values) => pool.query(sql, values), database.name);
    const usage = async () => ({ machine: machineBusyCpuSeconds(), server: server.cpuSeconds(), backends: await backendsCpu(), here: process.cpuUsage(), at: performance.now() });
    const open0 = await usage();
    const ours = mustSucceed('open loop', await openLoop(COMPLETES, RATE, (i) => complete(openLoopCheckouts[i])));
    const open1 = await usage();
    const openWall = (open1.at - open0.at) / 1000;
    const hereOpen = process.cpuUsage(open0.here);
    const thisRunOpen = open1.server - open0.server + backendsCpuBetween(open0.backends, open1.backends) + (hereOpen.user + hereOpen.system) / 1e6;
    const machineBusyCores = (open1.machine - open0.machine) / openWall;
    const pair = mustSucceed('bare pair', await openLoop(COMPLETES, RATE, (i) => bareChargePair(`pair-${i}`)));

    // Secondary: the closed loop's maximum rate and CPU per completion.
    const backends0 = await backendsCpu();
    const cpu0 = { server: server.cpuSeconds(), postgres: commandCpuSeconds('postgres'), here: process.cpuUsage() };
    const closed = mustSucceed('closed loop', await closedLoop(COMPLETES, CONCURRENCY, (i) => complete(closedLoopCheckouts[i])));
    const here = process.cpuUsage(cpu0.here);
    const postgresAll = commandCpuSeconds('postgres') - cpu0.postgres;
    const backends1 = await backendsCpu();
    const perComplete = (seconds: number) => round((seconds * 1000) / COMPLETES);
    const cpu = {
      server: perComplete(server.cpuSeconds() - cpu0.server),
      // Machine-wide, as before (other work on the machine counts too); and only this database's backends.
      postgres: perComplete(postgresAll),
      postgresThisDatabase: perComplete(backendsCpuBetween(backends0, backends1)),
      peerAndLoad: perComplete((here.user + here.system) / 1e6),
    };

    const oursP99 = percentile(ours.latencies, 99);
    const pairP99 = percentile(pair.latencies, 99);
    const ratio = round3(oursP99 / pairP99);
    const expectedCharges = CONCURRENCY * 2 + COMPLETES * 3;
    const charges = stripe.succeededCharges().length;
    if (charges !== expectedCharges) throw new Error(`the peer made ${charges} charges, expected ${expectedCharges} (one per complete and per bare pair)`);
    const result = {
      name: 'checkout',
      metric: 'complete_p99_ms',
      value: round(oursP99),
      baseline: 'bare_charge_pair_p99_ms',
      baseline_value: round(pairP99),
      ratio,
      target_ratio: TARGET_RATIO,
      targets_met: ratio <= TARGET_RATIO,
      rate_per_s: RATE,
      sent_rate_per_s: round(ours.sentPerSecond),
      bare_pair_sent_rate_per_s: round(pair.sentPerSecond),
      complete_p50_ms: round(percentile(ours.latencies, 50)),
      complete_p90_ms: round(percentile(ours.latencies, 90)),
      complete_max_ms: round(Math.max(...ours.latencies)),
      bare_charge_pair_p50_ms: round(percentile(pair.latencies, 50)),
      max_send_lag_ms: round(Math.max(ours.maxSendLagMs, pair.maxSendLagMs)),
      closed_loop_completes_per_s: round(COMPLETES / closed.seconds),
      closed_loop_concurrency: CONCURRENCY,
      closed_loop_p50_ms: round(percentile(closed.latencies, 50)),
      closed_loop_p99_ms: round(percentile(closed.latencies, 99)),
      cpu_ms_per_complete_server: cpu.server,
      cpu_ms_per_complete_postgres: cpu.postgres,
      cpu_ms_per_complete_postgres_this_db: cpu.postgresThisDatabase,
      cpu_ms_per_complete_peer_and_load: cpu.peerAndLoad,
      provider_calls_per_complete: 2,
      peer_latency_ms: LATENCY,
      completes: COMPLETES,
      roles: TOPOLOGY,
      open_loop_machine_busy_cores: round3(machineBusyCores),
      open_loop_this_run_cores: round3(thisRunOpen / openWall),
      open_loop_other_work_cores: round3(Math.max(0, machineBusyCores - thisRunOpen / openWall)),
      cores: availableParallelism(),
      charges_at_peer: charges,
    };
    console.log(`open loop at ${RATE}/s (sent at ${result.sent_rate_per_s}/s; ${COMPLETES} fresh one-click completes in ${ours.seconds.toFixed(1)} s; latency from each scheduled send):`);
    console.log(`  one-click complete:       p50 ${result.complete_p50_ms} ms, p90 ${result.complete_p90_ms} ms, p99 ${result.value} ms, max ${result.complete_max_ms} ms`);
    console.log(`  bare create+confirm pair: p50 ${result.bare_charge_pair_p50_ms} ms, p99 ${result.baseline_value} ms`);
    console.log(`  ratio of p99s ${ratio} (target ≤ ${TARGET_RATIO}: ${result.targets_met ? 'met' : 'NOT met'}); client fell behind schedule by at most ${result.max_send_lag_ms} ms`);
    console.log(`  during it the machine's ${result.cores} cores were ${result.open_loop_machine_busy_cores} busy: ${result.open_loop_this_run_cores} this run, ${result.open_loop_other_work_cores} other work`);
    if (result.open_loop_other_work_cores > 0.25) console.log(`  warning: other work held ${result.open_loop_other_work_cores} of the ${result.cores} cores during the open loop; its latency measures that sharing too`);
    console.log(`closed loop, ${CONCURRENCY} customers back to back: ${result.closed_loop_completes_per_s} completes/s, p50 ${result.closed_loop_p50_ms} ms, p99 ${result.closed_loop_p99_ms} ms`);
    console.log(`CPU per complete: server ${cpu.server} ms, PostgreSQL ${cpu.postgres} ms (this database's backends ${cpu.postgresThisDatabase} ms), peer and load ${cpu.peerAndLoad} ms (2 cores)`);
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await server.stop();
    await pool.end();
    await database.drop();
    await stripe.close();
  }
}

let options: CheckoutBenchOptions;
try {
  options = parseCheckoutBenchArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CheckoutBenchUsageError)) throw error;
  console.error(`bench:checkout: ${error.message}`);
  process.exit(2);
}
run(options).catch((error) => {
  console.error(error);
  process.exit(1);
});
