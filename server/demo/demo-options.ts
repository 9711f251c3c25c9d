/**
 * `npm run demo [-- --minutes 5 --shoppers 1500 --port 3000]`: the flags and the environment the demo reads,
 * validated before anything starts; every mistake names its flag or variable.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

export class DemoUsageError extends Error {}

export interface DemoOptions {
  /** How long the shoppers' story takes: arrivals, reminders, outcomes settled, a training run. */
  minutes: number;
  shoppers: number;
  port: number;
  /** A database given by the caller (used as is, migrated); absent: a fresh `checkout_recovery_demo`. */
  databaseUrl?: string;
  redisUrl?: string;
}

export const DEMO_DATABASE = 'checkout_recovery_demo';
/** Where the fresh demo database is created when DATABASE_URL is not given. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const whole = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name}: must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name}: must be a whole number between ${min} and ${max}`);

const schema = z.object({
  minutes: whole('--minutes', 1, 120).default(5),
  shoppers: whole('--shoppers', 4, 2000).default(1500),
  port: whole('--port', 0, 65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'DATABASE_URL: must be a URL starting with postgres:// or postgresql://')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'REDIS_URL: must be a URL starting with redis:// or rediss://')
    .optional(),
});

export const DEMO_USAGE = `Usage: npm run demo [-- --minutes N] [--shoppers N] [--port N]
  --minutes N   how long the simulated shoppers' story takes, 1-120 (default 5)
  --shoppers N  how many shoppers arrive, 4-2000 (default 1500)
  --port N      where the server listens, 0-65535 (default 3000, or PORT)
Environment: DATABASE_URL (default: a fresh database "${DEMO_DATABASE}"), REDIS_URL (default redis://127.0.0.1:6379).`;

/** Parses argv (without node and the script) and the environment; throws DemoUsageError naming what is wrong. */
export function parseDemoOptions(argv: string[], env: NodeJS.ProcessEnv): DemoOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { minutes: { type: 'string' }, shoppers: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // node:util names the flag: "Unknown option '--minuts'", "Option '--minutes <value>' argument missing".
    throw new DemoUsageError(`${(error as Error).message}\n${DEMO_USAGE}`);
  }
  if (values.help) return 'help';
  const present = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
  const parsed = schema.safeParse({
    minutes: values.minutes,
    shoppers: values.shoppers,
    port: (values.port as string | undefined) ?? present(env.PORT),
    DATABASE_URL: present(env.DATABASE_URL),
    REDIS_URL: present(env.REDIS_URL),
  });
  if (!parsed.success) {
    throw new DemoUsageError(parsed.error.issues.map((i) => (i.path[0] === 'port' && values.port === undefined ? i.message.replace('--port', 'PORT') : i.message)).join('\n'));
  }
  const o = parsed.data;
  return { minutes: o.minutes, shoppers: o.shoppers, port: o.port, databaseUrl: o.DATABASE_URL, redisUrl: o.REDIS_URL };
}
