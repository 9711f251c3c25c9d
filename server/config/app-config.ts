import { z } from 'zod';

export const ROLES = ['all', 'api', 'worker', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number between ${min} and ${max}`);

const environmentSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/checkout_recovery'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  ROLE: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }).default('all'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  DATABASE_POOL_SIZE: integer(1, 500).default(10),
  /** Prefix of every Redis key we write (BullMQ queues included), so several deployments can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, "_" or "-"')
    .default('cr'),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(15_000),
  /** Seconds a source looked up by write key stays cached; disabling a source also clears caches at once. */
  SOURCE_CACHE_TTL_S: integer(0, 3600).default(30),
  /** Set to "false" to serve without applying migrations (when a separate release step applies them). */
  MIGRATE_ON_START: z.enum(['true', 'false'], { message: 'must be "true" or "false"' }).default('true').transform((v) => v === 'true'),
});

type Environment = z.infer<typeof environmentSchema>;

export interface AppConfig {
  databaseUrl: string;
  databasePoolSize: number;
  redisUrl: string;
  redisPrefix: string;
  port: number;
  host: string;
  publicUrl: string;
  role: Role;
  logLevel: Environment['LOG_LEVEL'];
  shutdownTimeoutMs: number;
  sourceCacheTtlMs: number;
  migrateOnStart: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment once; nothing else in the app reads `process.env`. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(
    Object.keys(environmentSchema.shape).flatMap((key) => (env[key] === undefined || env[key] === '' ? [] : [[key, env[key]]])),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}: ${issue.message} (got ${JSON.stringify(env[name])})`;
      }),
    );
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    role: e.ROLE,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    sourceCacheTtlMs: e.SOURCE_CACHE_TTL_S * 1000,
    migrateOnStart: e.MIGRATE_ON_START,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export function servesHttpApi(role: Role): boolean {
  return role === 'all' || role === 'api';
}

export function runsWorkers(role: Role): boolean {
  return role === 'all' || role === 'worker';
}

export function runsScheduler(role: Role): boolean {
  return role === 'all' || role === 'scheduler';
}
