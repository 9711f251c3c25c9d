/**
 * Soak: the production layout (api, worker and scheduler processes) under all four kinds of traffic at once, at
 * fixed rates, for `--minutes`:
 *   ingestion   POST /v1/events batches of new checkouts (started, contact entered), a share ordered next batch;
 *   sending     the rest go idle, are swept as abandoned, and the worker sends the default campaign's reminders
 *               to the SMTP peer (CAMPAIGN_TIME_SCALE 0.001: at about 4 s, 90 s and 3 min after abandonment);
 *   completions one-click checkouts created and completed against the Stripe peer (50 ms a call);
 *   reports     console reads of the funnel, recovery and lift reports with the operations token.
 * Each kind is an open loop (see `openLoop`: latency from the scheduled send time). Prints the errors per kind
 * (any failed request or answer other than the expected one; target 0), the p99 of each kind (for sending: how
 * late the reminder left, sent_at - scheduled_for), the messages sent, and each process's resident memory after
 * the warm-up and at the end, each the median of 30 s of samples (target: growth under 10 %).
 *
 *   npm run bench:soak [-- --minutes 10 --ingest-rate 2 --batch-size 5 --ordered-share 0.3 --complete-rate 5 --report-rate 0.5 --time-scale 0.001]
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createPool } from '../server/database/database';
import { startSmtpPeer } from '../e2e/peers/smtp-peer';
import { startStripePeer } from '../e2e/peers/stripe-peer';
import { daytimeZone } from '../e2e/support/daytime-zone';
import { insertStorefrontSource } from '../e2e/support/storefront-source';
import { createTestDatabase } from '../e2e/support/test-database';
import { openLoop, percentile, type OpenLoopRun } from './checkout-load';
import { machineBusyCpuSeconds } from './checkout-machine';
import { startDeployment } from './deployment';
import { parseSoakArgs, SoakUsageError, type SoakOptions } from './soak-args';
import { ingestBatch, oneClickCompletion, orderedRecipient, reportRead, REPORTS, setUpCustomers, type SoakTarget } from './soak-load';
import { trackMemory } from './soak-memory';
import { sendingOutcome } from './soak-sending';

const MAX_GROWTH_PCT = 10;
/** RSS at the start and at the end: the median of the samples (every 2 s) in this many seconds. */
const RSS_WINDOW_S = 30;
const ONE_CLICK_CUSTOMERS = 50;
const round = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Warm-up before the memory baseline: a minute, or 10 % of a long run, never more than half the run. */
export const warmUpSeconds = (runSeconds: number) => Math.min(runSeconds / 2, Math.max(60, runSeconds / 10));

async function run(options: SoakOptions) {
  const runSeconds = options.minutes * 60;
  const warmUp = warmUpSeconds(runSeconds);
  const smtp = await startSmtpPeer();
  const stripe = await startStripePeer({ latencyMs: 50 });
  const database = await createTestDatabase('bench-soak');
  const pool = createPool(database.url, 2);
  const adminToken = randomBytes(24).toString('hex');
  const { writeKey, serverKey } = await insertStorefrontSource(pool, 'Soak store');
  const server = await startDeployment('split', {
    DATABASE_URL: database.url,
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: `bench-soak-${randomBytes(4).toString('hex')}`,
    SMTP_URL: smtp.url,
    CAMPAIGN_TIME_SCALE: String(options.timeScale),
    SWEEP_INTERVAL_S: '1',
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
    PAYMENT_PROVIDERS: 'stripe',
    PAYMENT_MAX_ATTEMPTS_PER_CARD: '1000',
    ADMIN_API_TOKEN: adminToken,
  });
  const [api, worker, scheduler] = server.processes;
  const pids = { api: api.child.pid!, worker: worker.child.pid!, scheduler: scheduler.child.pid! };
  let memory: ReturnType<typeof trackMemory> | undefined;
  try {
    const runId = `soak${randomBytes(3).toString('hex')}`;
    const target: SoakTarget = { url: server.url, writeKey, serverKey, adminToken, timezone: daytimeZone() };
    const customers = await setUpCustomers(target, runId, ONE_CLICK_CUSTOMERS);
    const ordered = Math.round(options.batchSize * options.orderedShare);
    const count = (rate: number) => Math.max(1, Math.floor(rate * runSeconds));

    console.log(
      `soak for ${options.minutes} min (warm-up ${warmUp} s): ingestion ${options.ingestRate} batches/s of ${options.batchSize} checkouts (${ordered} ordered), ` +
        `${options.completeRate} one-click completions/s, ${options.reportRate}/s of each report, campaign time ×${options.timeScale}`,
    );
    const started = Date.now();
    // The cores are shared with other work: how busy the machine was, and how much of that was this run.
    const cpu0 = { machine: machineBusyCpuSeconds(), server: server.cpuSeconds(), here: process.cpuUsage() };
    memory = trackMemory(pids, { warmUpMs: warmUp * 1000, windowMs: RSS_WINDOW_S * 1000 });
    const loops: Record<string, Promise<OpenLoopRun>> = {
      ingest: openLoop(count(options.ingestRate), options.ingestRate, ingestBatch(target, runId, options.batchSize, ordered)),
      complete: openLoop(count(options.completeRate), options.completeRate, oneClickCompletion(target, customers)),
      ...Object.fromEntries(Object.entries(REPORTS).map(([kind, report]) => [kind, openLoop(count(options.reportRate), options.reportRate, reportRead(target, report))])),
    };
    const runs = Object.fromEntries(await Promise.all(Object.entries(loops).map(async ([kind, p]) => [kind, await p] as const)));
    const memoryReport = memory.finish();
    const loadSeconds = (Date.now() - started) / 1000;
    const here = process.cpuUsage(cpu0.here);
    const machineCores = round3((machineBusyCpuSeconds() - cpu0.machine) / loadSeconds);
    const thisRunCores = round3((server.cpuSeconds() - cpu0.server + (here.user + here.system) / 1e6) / loadSeconds);
    const sentDuringRun = smtp.messages.length;
    const sending = await sendingOutcome(pool, smtp, new Date(started), orderedRecipient(runId, ordered, count(options.ingestRate) - 1));

    const exited = server.processes.filter((p) => p.child.exitCode !== null || p.child.signalCode !== null).length;
    const kinds = {
      ...Object.fromEntries(Object.entries(runs).map(([kind, r]) => [kind, { errors: r.errors, count: r.latencies.length + r.errors, p99_ms: round(percentile(r.latencies, 99)), first_error: r.firstError ? String((r.firstError as Error).message ?? r.firstError) : undefined }])),
      sending: { errors: sending.errors, count: sending.sent, p99_ms: round(sending.latenessP99Ms), first_error: sending.firstError },
    };
    const errors = Object.values(kinds).reduce((sum, k) => sum + k.errors, 0) + exited;
    const memoryMet = Object.values(memoryReport).every((m) => m.growth_pct < MAX_GROWTH_PCT);

    console.log(`load ran ${loadSeconds.toFixed(0)} s; the client fell behind schedule by at most ${round(Math.max(...Object.values(runs).map((r) => r.maxSendLagMs)))} ms`);
    console.log(
      `the machine's ${availableParallelism()} cores were ${machineCores} busy: server processes and this load generator ${thisRunCores}, ` +
        `other work (PostgreSQL and Redis included) ${round3(Math.max(0, machineCores - thisRunCores))}`,
    );
    for (const [kind, k] of Object.entries(kinds)) {
      const what = kind === 'sending' ? 'reminders sent, lateness (sent − due)' : 'requests, latency from scheduled send';
      console.log(`  ${kind.padEnd(16)} ${String(k.errors).padStart(4)} errors / ${k.count} ${what}: p99 ${k.p99_ms} ms${k.first_error ? `; first error: ${k.first_error}` : ''}`);
    }
    console.log(
      `  messages handed to the SMTP peer: ${sentDuringRun} while the load ran, ${sending.received} once in-flight sends finished ` +
        `(${sending.duplicates} duplicates, ${sending.toOrdered} to shoppers who had ordered, ${sending.failed} failed, ${sending.overdue} overdue)`,
    );
    if (exited) console.log(`  ${exited} server process(es) exited during the run`);
    for (const [name, m] of Object.entries(memoryReport)) {
      console.log(`  RSS ${name.padEnd(9)} ${m.start_mib} MiB after warm-up → ${m.end_mib} MiB at the end (medians of ${RSS_WINDOW_S} s; peak ${m.peak_mib}): ${m.growth_pct >= 0 ? '+' : ''}${m.growth_pct} %`);
    }
    const targetsMet = errors === 0 && memoryMet;
    console.log(`errors ${errors} (target 0: ${errors === 0 ? 'met' : 'NOT met'}); RSS growth after warm-up < ${MAX_GROWTH_PCT} % in every process: ${memoryMet ? 'met' : 'NOT met'}`);
    const result = {
      name: 'soak',
      metric: 'errors',
      value: errors,
      target: 0,
      targets_met: targetsMet,
      minutes: options.minutes,
      warm_up_s: warmUp,
      errors_by_kind: Object.fromEntries(Object.entries(kinds).map(([kind, k]) => [kind, k.errors])),
      p99_ms: Object.fromEntries(Object.entries(kinds).map(([kind, k]) => [kind, k.p99_ms])),
      counts: Object.fromEntries(Object.entries(kinds).map(([kind, k]) => [kind, k.count])),
      messages_sent: sending.received,
      messages_sent_during_load: sentDuringRun,
      rss_mib: memoryReport,
      max_rss_growth_pct: MAX_GROWTH_PCT,
      rss_window_s: RSS_WINDOW_S,
      processes_exited: exited,
      max_send_lag_ms: round(Math.max(...Object.values(runs).map((r) => r.maxSendLagMs))),
      machine_busy_cores: machineCores,
      this_run_cores: thisRunCores,
      cores: availableParallelism(),
      rates: { ingest_batches_per_s: options.ingestRate, batch_size: options.batchSize, ordered_share: options.orderedShare, completes_per_s: options.completeRate, reads_per_s_each_report: options.reportRate },
      campaign_time_scale: options.timeScale,
      roles: 'split',
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    memory?.finish();
    await server.stop();
    await pool.end();
    await database.drop();
    await stripe.close();
    await smtp.close();
  }
}

let options: SoakOptions;
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof SoakUsageError)) throw error;
  console.error(`bench:soak: ${error.message}`);
  process.exit(2);
}
run(options).catch((error) => {
  console.error(error);
  process.exit(1);
});
