/**
 * Recovery throughput: 10 000 abandoned checkouts' emails planned and sent by the worker (default
 * concurrency) through a local SMTP server, against the same number of emails sent straight through
 * nodemailer to the same server. While sending, orders arrive for other checkouts and we time how long
 * until their pending messages are cancelled; a second, paced batch measures how late messages go out.
 *
 *   npm run bench:recovery [-- --messages 10000 --orders 500 --paced 1000 --roles split|all]
 *   (--roles split, the default, runs the documented production layout: api, worker and scheduler processes;
 *   all runs every role in one process, as the quick start does)
 *   (BENCH_WORKER_CONCURRENCY=n to try another worker concurrency than the product's default)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import nodemailer from 'nodemailer';
import { createPool } from '../server/database/database';
import { QUEUES } from '../server/queue/queues';
import { sendJobData, sendJobId } from '../server/recovery/scheduling/recovery-jobs';
import { generateWriteKey, hashWriteKey, writeKeyPrefix } from '../server/sources/write-key';
import { startSmtpPeer } from '../e2e/peers/smtp-peer';
import { daytimeZone } from '../e2e/support/daytime-zone';
import { createTestDatabase } from '../e2e/support/test-database';
import { backendsCpuBetween, commandCpuSeconds, databaseBackendsCpu } from './cpu-time';
import { seedRecovery } from '../e2e/support/seed-recovery';
import { parseTopology, startDeployment } from './deployment';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '10000' }, orders: { type: 'string', default: '500' }, paced: { type: 'string', default: '1000' }, roles: { type: 'string', default: 'split' } } });
const TOPOLOGY = parseTopology(values.roles);
const MESSAGES = Number(values.messages);
const ORDERS = Number(values.orders);
const PACED = Number(values.paced);
for (const [name, v] of Object.entries({ messages: MESSAGES, orders: ORDERS, paced: PACED })) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const smtp = await startSmtpPeer();
  const database = await createTestDatabase('bench_recovery');
  const pool = createPool(database.url, 4);
  const zone = daytimeZone();
  const key = generateWriteKey();
  await pool.query('INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ($1, $2, $3)', ['orders', hashWriteKey(key), writeKeyPrefix(key)]);
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  // Wake-ups go into the product's queue exactly as its MessageScheduler puts them there.
  const queue = new Queue(QUEUES.recovery, { connection: { url: 'redis://127.0.0.1:6379' }, prefix: `${prefix}:bull` });
  const wake = (messages: Array<{ id: string; key: string; scheduledFor: Date }>) =>
    queue.addBulk(
      messages.map((m) => ({
        name: 'send',
        data: sendJobData(m),
        opts: { jobId: sendJobId(m.key, m.scheduledFor), delay: Math.max(0, m.scheduledFor.getTime() - Date.now()), removeOnComplete: true },
      })),
    );
  const server = await startDeployment(TOPOLOGY, {
    DATABASE_URL: database.url,
    REDIS_PREFIX: prefix,
    MIGRATE_ON_START: 'false',
    SMTP_URL: smtp.url,
    SWEEP_INTERVAL_S: '1',
    LOG_LEVEL: 'warn',
    ...(process.env.BENCH_WORKER_CONCURRENCY ? { WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY } : {}),
  });
  try {
    // Orders will arrive for these while the big batch is sending: their messages are due in an hour.
    await wake((await seedRecovery(pool, { tag: 'pending', count: ORDERS, firstDue: new Date(Date.now() + 3_600_000), spacingMs: 0, timezone: zone })).messages);

    // Phase 1: throughput, with suppression timed under load.
    const backends = () => databaseBackendsCpu((sql, v) => pool.query(sql, v), database.name);
    const cpu0 = {
      server: server.cpuSeconds(),
      postgres: commandCpuSeconds('postgres'),
      backends: await backends(),
      redis: commandCpuSeconds('redis-server'),
      here: process.cpuUsage(),
    };
    const started = Date.now();
    const bulk = await seedRecovery(pool, { tag: 'bulk', count: MESSAGES, firstDue: new Date(), spacingMs: 0, timezone: zone });
    await wake(bulk.messages);
    const suppression: number[] = [];
    const orders = (async () => {
      await sleep(1_000);
      for (let i = 1; i <= ORDERS; i++) {
        const t0 = performance.now();
        const response = await fetch(`${server.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ event_id: randomUUID(), type: 'order_completed', occurred_at: new Date().toISOString(), checkout_id: `pending-${i}`, order_id: `o-${i}`, revenue: 30 }),
        });
        await response.text();
        if (response.status !== 200) throw new Error(`order ${i} answered ${response.status}`);
        suppression.push(performance.now() - t0);
        await sleep(5);
      }
    })();
    for (;;) {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM messages WHERE status IN ('planned', 'sending') AND campaign_id = $1`, [bulk.campaignId]);
      if (rows[0].n === 0) break;
      await sleep(250);
    }
    const seconds = (Date.now() - started) / 1000;
    const here = process.cpuUsage(cpu0.here);
    const backendsAfter = await backends();
    const cpu = {
      server: server.cpuSeconds() - cpu0.server,
      postgres: commandCpuSeconds('postgres') - cpu0.postgres,
      backends: backendsCpuBetween(cpu0.backends, backendsAfter),
      redis: commandCpuSeconds('redis-server') - cpu0.redis,
      peer: (here.user + here.system) / 1e6,
    };
    await orders;
    const leaked = (await pool.query(`SELECT count(*)::int AS n FROM messages m JOIN checkouts c ON c.id = m.checkout_id WHERE c.external_id LIKE 'pending-%' AND m.status <> 'cancelled'`)).rows[0].n;
    if (leaked > 0) throw new Error(`${leaked} messages of ordered checkouts were not cancelled`);
    const ours = MESSAGES / seconds;
    const perMessage = (s: number) => ((s / MESSAGES) * 1000).toFixed(2);

    // Phase 2: lateness of messages due at a steady 50/s.
    const paced = await seedRecovery(pool, { tag: 'paced', count: PACED, firstDue: new Date(Date.now() + 2_000), spacingMs: 20, timezone: zone });
    await wake(paced.messages);
    for (;;) {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM messages WHERE status <> 'sent' AND campaign_id = $1`, [paced.campaignId]);
      if (rows[0].n === 0) break;
      await sleep(100);
    }
    const lateness = (
      await pool.query<{ ms: number }>(
        `SELECT extract(epoch FROM (m.sent_at - m.scheduled_for)) * 1000 AS ms FROM messages m JOIN checkouts c ON c.id = m.checkout_id WHERE c.external_id LIKE 'paced-%'`,
      )
    ).rows.map((r) => Number(r.ms));

    // Baseline: the same number of emails, same size, straight through nodemailer to the same server.
    const sample = smtp.messages[0];
    const transport = nodemailer.createTransport({ url: smtp.url, pool: true, maxConnections: 5, maxMessages: 100 } as never);
    const rawStarted = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < MESSAGES) {
          const n = next++;
          await transport.sendMail({ from: 'shop@example.com', to: `raw-${n}@example.com`, subject: sample.subject, html: sample.html, text: sample.text });
        }
      }),
    );
    const raw = MESSAGES / ((Date.now() - rawStarted) / 1000);
    transport.close();

    console.log(`sent ${MESSAGES} recovery emails in ${seconds.toFixed(1)} s: ${ours.toFixed(0)} messages/s (raw nodemailer to the same peer: ${raw.toFixed(0)}/s)`);
    console.log(
      `CPU while sending (${seconds.toFixed(1)} s, 2 cores): server ${cpu.server.toFixed(1)} s, PostgreSQL ${cpu.postgres.toFixed(1)} s (this database's backends ${cpu.backends.toFixed(1)} s), Redis ${cpu.redis.toFixed(1)} s, SMTP peer and load ${cpu.peer.toFixed(1)} s; per message: server ${perMessage(cpu.server)} ms, PostgreSQL ${perMessage(cpu.postgres)} ms (backends ${perMessage(cpu.backends)} ms), Redis ${perMessage(cpu.redis)} ms, peer and load ${perMessage(cpu.peer)} ms`,
    );
    console.log(`suppression while sending (order accepted → pending messages cancelled): p50 ${percentile(suppression, 50).toFixed(1)} ms, p99 ${percentile(suppression, 99).toFixed(1)} ms over ${ORDERS} orders`);
    console.log(`lateness of ${PACED} messages due at 50/s: p50 ${percentile(lateness, 50).toFixed(0)} ms, p99 ${percentile(lateness, 99).toFixed(0)} ms`);
    const result = {
      name: 'recovery',
      metric: 'messages_per_s',
      value: Math.round(ours),
      baseline: 'raw_nodemailer_messages_per_s',
      baseline_value: Math.round(raw),
      ratio: Number((ours / raw).toFixed(3)),
      suppression_p50_ms: Number(percentile(suppression, 50).toFixed(1)),
      suppression_p99_ms: Number(percentile(suppression, 99).toFixed(1)),
      lateness_p50_ms: Math.round(percentile(lateness, 50)),
      lateness_p99_ms: Math.round(percentile(lateness, 99)),
      messages: MESSAGES,
      roles: TOPOLOGY,
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await queue.close();
    await server.stop();
    await pool.end();
    await database.drop();
    await smtp.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
