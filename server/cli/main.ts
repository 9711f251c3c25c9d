import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/app-config';
import { migrateDatabase } from '../database/migrate';
import { createLogger, PinoNestLogger } from '../logging/logger';
import { CliModule } from './cli.module';
import { CliUsageError } from './cli-support';
import { createAdmin } from './admin-commands';
import { runDemo } from './demo-command';
import { trainFromFiles, trainNow } from './ml-train-command';
import { mlDecide } from './ml-decide-command';
import { mlExport } from './ml-export-command';
import { createSource, listSources, rotateServerKey, setSourceEnabled } from './sources-commands';
import { mlEval } from './ml-eval-command';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  sources:create --name NAME [--currency EUR] [--shopify-secret SECRET] [--origin https://shop.example ...] [--require-email-opt-in]
                       create an event source; prints its write key alone on the last line.
                       --currency: the default for events that name none (ISO 4217, default USD)
                       --require-email-opt-in: recovery email only to shoppers who opted in (EU stores)
  sources:list         list sources (key prefixes only; keys are stored hashed)
  sources:server-key --id ID
                       issue the source's server key (sk_...) for the checkout and profiles API, printed
                       alone on the last line; the previous server key stops working at once
  sources:disable --id ID
  sources:enable --id ID
  admin:create --email EMAIL --password PASSWORD --role admin|marketer|analyst [--name NAME]
                       create a console user (password: 12 characters or more)
  demo [--url URL] [--days 21] [--checkouts 3000]
                       a demo store: a source, a second campaign, a discount rule and weeks of simulated
                       traffic posted to the running server at URL (default PUBLIC_URL)
  ml:train             run the nightly training job now: learn from settled decisions, evaluate on a
                       time-based holdout, store the version and promote it if it beats the current one
  ml:train --examples FILE.jsonl --economics FILE.json --out DIR [--current DIR]
                       the same training and verdict on logged decisions from a file, no database: writes
                       DIR/model.json, economics.json and verdict.json (DIR must be new or empty)
  ml:decide --model DIR [--explore [--rate 0.1] [--stop-rate 0.02]]
                       decide JSON Lines requests {"id","ctx","candidates"} from stdin with a model directory,
                       one {"id","action","propensity","expectedMargin"} line each on stdout, in order
  ml:export [--since DATE]
                       print the settled decided sequences the nightly job learns from, as JSON Lines that
                       ml:train --examples reads (see docs/ml-cli.md)
  ml:eval --world FILE train on a simulated shop (e.g. ml/worlds/default.json) and compare the learned policy
                       with the seed's fixed schedule and the rules; needs no database
`;

const OPTIONS = {
  name: { type: 'string' },
  'shopify-secret': { type: 'string' },
  origin: { type: 'string', multiple: true },
  'require-email-opt-in': { type: 'boolean' },
  currency: { type: 'string' },
  id: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  role: { type: 'string' },
  url: { type: 'string' },
  days: { type: 'string' },
  checkouts: { type: 'string' },
  world: { type: 'string' },
  examples: { type: 'string' },
  economics: { type: 'string' },
  out: { type: 'string' },
  current: { type: 'string' },
  model: { type: 'string' },
  explore: { type: 'boolean' },
  rate: { type: 'string' },
  'stop-rate': { type: 'string' },
  since: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The flags of the offline policy commands: one meant for another command is named, not ignored. */
const ML_FLAGS: Record<string, readonly string[]> = {
  'ml:train': ['examples', 'economics', 'out', 'current'],
  'ml:decide': ['model', 'explore', 'rate', 'stop-rate'],
  'ml:export': ['since'],
};

/** stdout closed early (`| head`): stop quietly, as a filter does. */
function exitOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`cannot write to stdout: ${error.message}\n`);
    process.exit(1);
  });
}

const writeStdout = (chunk: string) => new Promise<void>((resolve) => (process.stdout.write(chunk) ? resolve() : process.stdout.once('drain', resolve)));

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const commands: Record<string, true> = { 'sources:create': true, 'sources:list': true, 'sources:server-key': true, 'sources:disable': true, 'sources:enable': true, 'ml:train': true, 'ml:eval': true, 'ml:decide': true, 'ml:export': true, 'admin:create': true, demo: true };
  if (!commands[command]) {
    process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  const mlFlags = ML_FLAGS[command];
  if (mlFlags) {
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const foreign = Object.keys(values).filter((flag) => !mlFlags.includes(flag));
    if (foreign.length > 0) {
      process.stderr.write(`${command} does not take ${foreign.map((f) => `--${f}`).join(', ')}.\n\n${USAGE}`);
      return 2;
    }
  }
  const err = (line: string) => process.stderr.write(`${line}\n`);
  if (command === 'ml:train' && values.examples !== undefined) return trainFromFiles(values, (line) => process.stdout.write(`${line}\n`), err);
  if (command === 'ml:train' && (values.economics !== undefined || values.out !== undefined || values.current !== undefined)) {
    throw new CliUsageError('ml:train: --economics, --out and --current go with --examples FILE (without it, ml:train runs the nightly job on the database)');
  }
  if (command === 'ml:decide') {
    exitOnClosedStdout();
    return mlDecide(values, process.stdin, process.stdout);
  }
  if (command === 'ml:export') {
    exitOnClosedStdout();
    return mlExport(values, writeStdout, err);
  }

  if (command === 'ml:eval') {
    await mlEval(values, (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`));
    return 0;
  }

  const config = loadConfig();
  await migrateDatabase(config.databaseUrl);
  const logger = createLogger('warn', process.stderr);
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: new PinoNestLogger(logger) });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    if (command === 'sources:create') await createSource(app, values, out);
    if (command === 'sources:list') await listSources(app, out);
    if (command === 'sources:server-key') await rotateServerKey(app, values, out);
    if (command === 'sources:disable') await setSourceEnabled(app, values, false, out);
    if (command === 'sources:enable') await setSourceEnabled(app, values, true, out);
    if (command === 'admin:create') await createAdmin(app, values, out);
    if (command === 'demo') await runDemo(app, values, config.publicUrl, out);
    if (command === 'ml:train') return await trainNow(app, out, (line) => process.stderr.write(`${line}\n`));
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof CliUsageError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
