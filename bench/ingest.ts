/**
 * Ingestion throughput: drive POST /v1/events over HTTP with batches of 100 at saturating concurrency,
 * then COPY the same rows into the same (indexed) events table. Prints events/s, request latencies,
 * where the CPU went, and `RESULT {...}` last.
 *
 *   npm run bench:ingest [-- --events 60000 --concurrency 12]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { createPool } from '../server/database/database';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createTestDatabase } from '../e2e/support/test-database';
import { startServerProcess } from '../e2e/support/server-process';
import { generateWriteKey, hashWriteKey, writeKeyPrefix } from '../server/sources/write-key';
import { commandCpuSeconds, processCpuSeconds } from './cpu-time';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '60000' },
    concurrency: { type: 'string', default: '12' },
    batch: { type: 'string', default: '100' },
  },
});
const TOTAL = Number(values.events);
const CONCURRENCY = Number(values.concurrency);
const BATCH = Number(values.batch);
for (const [name, v] of Object.entries({ events: TOTAL, concurrency: CONCURRENCY, batch: BATCH })) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
}

type BenchEvent = Record<string, unknown> & { event_id: string; type: string; occurred_at: string };

/** Realistic traffic: checkouts walking the funnel, a third of them ordering, interleaved across shoppers. */
function generateEvents(total: number): BenchEvent[] {
  const journeys: BenchEvent[][] = [];
  let count = 0;
  const start = Date.now() - 6 * 3600_000;
  for (let n = 0; count < total; n++) {
    const tag = randomBytes(6).toString('hex');
    const at = (i: number) => new Date(start + n * 500 + i * 20_000).toISOString();
    const anon = { anonymous_id: `anon-${tag}` };
    const items = Array.from({ length: 1 + (n % 4) }, (_, i) => ({ sku: `SKU-${(n * 7 + i) % 500}`, name: `Product ${i}`, quantity: 1 + (i % 2), unit_price: 19.9 + i * 5, image_url: `https://cdn.shop.example/p/${i}.jpg` }));
    const cart = { items, currency: 'EUR' };
    const context = { user_agent: n % 2 ? 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148' : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120', page: { url: `https://shop.example/checkout/${tag}` }, utm_source: 'newsletter', utm_campaign: 'bf' };
    const base = (type: string, i: number, extra: Record<string, unknown> = {}): BenchEvent => ({ event_id: randomUUID(), type, occurred_at: at(i), checkout_id: `co-${tag}`, customer: anon, context, ...extra });
    const journey = [
      base('checkout_started', 0, { cart }),
      base('checkout_step_viewed', 1),
      base('contact_entered', 2, { customer: { ...anon, email: `shopper-${tag}@example.com`, timezone: 'Europe/Paris' } }),
      base('shipping_entered', 3),
      base('payment_entered', 4),
    ];
    if (n % 3 === 0) journey.push(base('order_completed', 5, { order_id: `ord-${tag}`, revenue: 99.5, properties: { currency: 'EUR' } }));
    journeys.push(journey);
    count += journey.length;
  }
  // Interleave like a busy shop: a checkout's next event arrives seconds later, thousands of events on,
  // so concurrent batches rarely touch the same checkout (each checkout's events stay in order).
  const events: BenchEvent[] = [];
  const window = 2000;
  for (let i = 0; i < journeys.length; i += window) {
    const group = journeys.slice(i, i + window);
    for (let step = 0; group.some((j) => j[step]); step++) for (const j of group) if (j[step]) events.push(j[step]);
  }
  return events.slice(0, total);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function drive(url: string, key: string, bodies: string[], concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(url);
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const send = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        { agent, hostname, port, path: '/v1/events', method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const t0 = performance.now();
      const status = await send(body);
      latencies.push(performance.now() - t0);
      if (status !== 200) failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { seconds, latencies: latencies.sort((a, b) => a - b), failures };
}

async function copyBaseline(pool: Pool, events: BenchEvent[], sourceId: string): Promise<number> {
  const checkoutIds = new Map<string, string>();
  const customerIds = new Map<string, string>();
  const idFor = (map: Map<string, string>, k: string) => map.get(k) ?? (map.set(k, randomUUID()), map.get(k)!);
  const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  const lines = events.map((e) =>
    [
      sourceId,
      e.event_id,
      e.type,
      e.occurred_at,
      'api',
      idFor(checkoutIds, String(e.checkout_id)),
      idFor(customerIds, String((e.customer as { anonymous_id: string }).anonymous_id)),
      escape(JSON.stringify(e)),
    ].join('\t') + '\n',
  );
  const client = await pool.connect();
  try {
    const started = performance.now();
    const stream = client.query(copyFrom('COPY events (source_id, event_id, type, occurred_at, origin, checkout_id, customer_id, payload) FROM STDIN'));
    await pipeline(Readable.from(lines, { objectMode: false }), stream);
    return (performance.now() - started) / 1000;
  } finally {
    client.release();
  }
}

async function main() {
  const database = await createTestDatabase('bench_ingest');
  const pool = createPool(database.url, 2);
  const key = generateWriteKey();
  const { rows } = await pool.query<{ id: string }>('INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ($1, $2, $3) RETURNING id', ['bench', hashWriteKey(key), writeKeyPrefix(key)]);
  const copySources: string[] = [];
  for (const n of [1, 2, 3]) {
    copySources.push((await pool.query<{ id: string }>("INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ($1, $1, 'none') RETURNING id", [`copy baseline ${n}`])).rows[0].id);
  }
  const server = await startServerProcess({ DATABASE_URL: database.url, REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}`, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '10' });
  try {
    const warmup = generateEvents(3000);
    const events = generateEvents(TOTAL);
    const toBodies = (list: BenchEvent[]) => {
      const bodies: string[] = [];
      for (let i = 0; i < list.length; i += BATCH) bodies.push(JSON.stringify({ events: list.slice(i, i + BATCH) }));
      return bodies;
    };
    await drive(server.url, key, toBodies(warmup), CONCURRENCY);
    const bodies = toBodies(events);

    const serverCpu0 = processCpuSeconds(server.child.pid!);
    const pgCpu0 = commandCpuSeconds('postgres');
    const loadCpu0 = process.cpuUsage();
    const http = await drive(server.url, key, bodies, CONCURRENCY);
    const serverCpu = processCpuSeconds(server.child.pid!) - serverCpu0;
    const pgCpu = commandCpuSeconds('postgres') - pgCpu0;
    const loadCpuUsage = process.cpuUsage(loadCpu0);
    const loadCpu = (loadCpuUsage.user + loadCpuUsage.system) / 1e6;
    if (http.failures > 0) throw new Error(`${http.failures} requests did not answer 200`);
    const stored = Number((await pool.query('SELECT count(*) FROM events WHERE source_id = $1', [rows[0].id])).rows[0].count);
    if (stored !== TOTAL + warmup.length) throw new Error(`expected ${TOTAL + warmup.length} stored events, found ${stored}`);

    // The baseline is measured three times (each into its own source) and the best run kept.
    const copySeconds = Math.min(await copyBaseline(pool, events, copySources[0]), await copyBaseline(pool, events, copySources[1]), await copyBaseline(pool, events, copySources[2]));
    const httpRate = TOTAL / http.seconds;
    const copyRate = TOTAL / copySeconds;
    const p50 = percentile(http.latencies, 50);
    const p99 = percentile(http.latencies, 99);
    const checkouts = Number((await pool.query('SELECT count(*) FROM checkouts')).rows[0].count);

    console.log(`events: ${TOTAL} in batches of ${BATCH}, concurrency ${CONCURRENCY}; ${checkouts} checkouts projected`);
    console.log(`HTTP /v1/events: ${httpRate.toFixed(0)} events/s (${(http.seconds).toFixed(2)} s), request latency p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    console.log(`COPY baseline:   ${copyRate.toFixed(0)} events/s (${copySeconds.toFixed(2)} s, best of 3) into the same table and indexes`);
    console.log(
      `CPU during the HTTP run (${http.seconds.toFixed(2)} s wall, 2 cores): server ${serverCpu.toFixed(2)} s, PostgreSQL ${pgCpu.toFixed(2)} s, load generator ${loadCpu.toFixed(2)} s`,
    );
    console.log(
      `per 1000 events: server ${((serverCpu / TOTAL) * 1e6).toFixed(0)} ms CPU, PostgreSQL ${((pgCpu / TOTAL) * 1e6).toFixed(0)} ms CPU; COPY needs ${((copySeconds / TOTAL) * 1e6).toFixed(0)} ms wall`,
    );
    const result = { name: 'ingest', metric: 'events_per_s', value: Math.round(httpRate), baseline: 'copy_events_per_s', baseline_value: Math.round(copyRate), ratio: Number((httpRate / copyRate).toFixed(3)), p50_ms: Number(p50.toFixed(1)), p99_ms: Number(p99.toFixed(1)), events: TOTAL, batch: BATCH, concurrency: CONCURRENCY };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    await pool.end();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
