/**
 * `npm run demo`: the whole product on a fresh database with local mail, SMS, push and payment sinks, simulated
 * shoppers and a training run; prints the console's address and a sign-in, and serves until Ctrl-C.
 */
import 'reflect-metadata';
import { ConfigError } from '../config/app-config';
import { DEMO_USAGE, DemoUsageError, parseDemoOptions } from './demo-options';
import { runDemo, type RunningDemo } from './run-demo';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  let options;
  try {
    options = parseDemoOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof DemoUsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (options === 'help') {
    out(DEMO_USAGE);
    return;
  }
  out(options.databaseUrl ? 'Using the database in DATABASE_URL.' : 'Creating a fresh database "checkout_recovery_demo" …');
  let demo: RunningDemo;
  try {
    demo = await runDemo({ durationMs: options.minutes * 60_000, shoppers: options.shoppers, port: options.port, databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, out });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') fail(`--port: ${options.port} is already in use; choose another with --port N`);
    if (code === 'ECONNREFUSED') fail(`could not reach PostgreSQL or Redis (${(error as Error).message}); start them (docker compose up -d) or set DATABASE_URL / REDIS_URL`);
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  out('');
  out(`Console:  ${demo.url}/admin`);
  out(`Sign in:  ${demo.login.email}  /  ${demo.login.password}`);
  out(`Every page fills within ${options.minutes} min; the Messages view shows each reminder as it goes out.`);
  out('');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    out('Stopping the demo …');
    await demo.close().catch((error: Error) => process.stderr.write(`${error.message}\n`));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const summary = await demo.done;
  const s = summary.stats;
  out(`Done: ${s.arrived} shoppers, ${s.boughtAtOnce} bought at once; ${s.remindersReceived} reminders received, ${s.opened} opened, ${s.clicked} clicked;`);
  out(`      ${s.oneClickOrders} paid in one click, ${s.reportedOrders} ordered at the store after a reminder, ${s.organicOrders} came back on their own.`);
  if (summary.trainingRun) out(`Training run ${summary.trainingRun.status}: ${summary.trainingRun.verdict ?? ''}`);
  if (s.failures) out(`${s.failures} shopper requests failed (see the lines marked "!").`);
  out(`Still serving at ${demo.url}/admin — press Ctrl-C to stop.`);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

main().catch((error) => {
  process.stderr.write(`the demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
