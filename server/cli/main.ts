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
import { trainNow } from './ml-train-command';
import { createSource, listSources, rotateServerKey, setSourceEnabled } from './sources-commands';
import { mlEval } from './ml-eval-command';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  sources:create --name NAME [--shopify-secret SECRET] [--origin https://shop.example ...] [--require-email-opt-in]
                       create an event source; prints its write key alone on the last line.
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
  ml:eval --world FILE train on a simulated shop (e.g. ml/worlds/default.json) and compare the learned policy
                       with the seed's fixed schedule and the rules; needs no database
`;

const OPTIONS = {
  name: { type: 'string' },
  'shopify-secret': { type: 'string' },
  origin: { type: 'string', multiple: true },
  'require-email-opt-in': { type: 'boolean' },
  id: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  role: { type: 'string' },
  url: { type: 'string' },
  days: { type: 'string' },
  checkouts: { type: 'string' },
  world: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
  const commands: Record<string, true> = { 'sources:create': true, 'sources:list': true, 'sources:server-key': true, 'sources:disable': true, 'sources:enable': true, 'ml:train': true, 'ml:eval': true, 'admin:create': true, demo: true };
  if (!commands[command]) {
    process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
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
