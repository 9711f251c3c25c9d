import { validateCronExpression } from 'cron';
import { isIP } from 'node:net';
import { z } from 'zod';
import { PAYMENT_PROVIDERS, type PaymentProviderName } from '../payments/payment-provider';

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

const fraction = (message: string) =>
  z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, message)
    .transform(Number);

const CHANNEL_NAMES = ['email', 'push', 'sms'] as const;

/** "email=0.001,push=0.0005,sms=0.0079": what one message costs on each channel, in the shop's currency. */
const messageCosts = z
  .string()
  .transform((value, ctx) => {
    const costs: Record<string, number> = { email: 0.001, push: 0.0005, sms: 0.0079 };
    for (const part of value.split(',')) {
      const match = /^(email|push|sms)=(\d+(\.\d+)?)$/.exec(part.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `must be a comma-separated list like email=0.001,push=0.0005,sms=0.0079; "${part}" is not` });
        return z.NEVER;
      }
      costs[match[1]] = Number(match[2]);
    }
    return costs as Record<(typeof CHANNEL_NAMES)[number], number>;
  });

/** "stripe,adyen": provider names in routing order, each once. */
const paymentProviderList = z.string().transform((value, ctx) => {
  const names = value.split(',').map((n) => n.trim().toLowerCase());
  const unknown = names.filter((n) => !(PAYMENT_PROVIDERS as readonly string[]).includes(n));
  if (unknown.length > 0 || new Set(names).size !== names.length) {
    ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of distinct providers among ${PAYMENT_PROVIDERS.join(', ')}` });
    return z.NEVER;
  }
  return names as PaymentProviderName[];
});

const PROXY_ADDRESS_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address (`10.0.0.5`, `::1`), a CIDR (`10.0.0.0/8`), or one of proxy-addr's names (`loopback`…). */
function isProxyAddress(entry: string): boolean {
  if (PROXY_ADDRESS_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Whose X-Forwarded-For to believe: unset (nobody: the address is the TCP peer's), a hop count, or the proxies'
 * addresses and CIDRs. Never "everybody": then any client picks its own address and per-address limits mean nothing.
 */
const trustProxy = z.string().transform((value, ctx): number | string[] => {
  const message = 'must be a number of proxy hops (1-20) or a comma-separated list of proxy addresses or CIDRs such as 10.0.0.0/8,127.0.0.1';
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops >= 1 && hops <= 20) return hops;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  const entries = text.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !isProxyAddress(e));
  if (bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `${message}; ${bad.map((b) => JSON.stringify(b)).join(', ')} is not` });
    return z.NEVER;
  }
  return entries;
});

const environmentSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/checkout_recovery'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Off unless set: see `trustProxy`. */
  TRUST_PROXY: trustProxy.optional(),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  ROLE: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }).default('all'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  DATABASE_POOL_SIZE: integer(1, 500).default(10),
  /** Off behind a pooler that does not keep prepared statements per client (PgBouncer in transaction mode before 1.21). */
  DATABASE_PREPARED_STATEMENTS: z.enum(['true', 'false'], { message: 'must be "true" or "false"' }).default('true').transform((v) => v === 'true'),
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

  /** Email: an SMTP URL such as smtp://user:pass@smtp.example.com:587 (smtps:// for implicit TLS). */
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).max(320).optional(),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio account SID (AC followed by 32 hex digits)').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16, 'must be the account auth token').optional(),
  /** A sender phone number in E.164 or a Messaging Service SID (MG…). */
  TWILIO_FROM: z.string().regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, 'must be a phone number in E.164 form or a Messaging Service SID').optional(),
  /** Where the Twilio SDK sends requests; tests point it at a local peer. */
  TWILIO_API_BASE: url(['http:', 'https:']).default('https://api.twilio.com'),
  /** Contact for push services, `mailto:` or `https:` (VAPID). */
  VAPID_SUBJECT: z.string().regex(/^(mailto:.+@.+|https:\/\/.+)$/, 'must be a mailto: address or an https: URL').optional(),
  VAPID_PUBLIC_KEY: z.string().regex(/^[A-Za-z0-9_-]{80,90}$/, 'must be a base64url P-256 public key').optional(),
  VAPID_PRIVATE_KEY: z.string().regex(/^[A-Za-z0-9_-]{40,46}$/, 'must be a base64url P-256 private key').optional(),
  /**
   * Push services we send to (hosts, or `.suffix` for a domain and its subdomains). A subscription pointing
   * anywhere else is refused at send time, so a forged subscription cannot make us call arbitrary hosts.
   */
  PUSH_SERVICE_HOSTS: z
    .string()
    .regex(/^[A-Za-z0-9.:\[\]-]+(,[A-Za-z0-9.:\[\]-]+)*$/, 'must be a comma-separated list of host names, such as fcm.googleapis.com,.push.apple.com')
    .default('fcm.googleapis.com,updates.push.services.mozilla.com,.push.services.mozilla.com,.notify.windows.com,.push.apple.com'),
  /** Multiplies every campaign delay, cap window and idle trigger (0.001 for demos and tests); quiet hours stay real. */
  CAMPAIGN_TIME_SCALE: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a positive number such as 1 or 0.001')
    .transform(Number)
    .refine((n) => n > 0 && n <= 1000, 'must be a positive number such as 1 or 0.001')
    .default(1),
  /** Messages the worker sends at once. */
  WORKER_CONCURRENCY: integer(1, 1000).default(20),
  /** How often the abandonment sweep and the reconciler run. */
  SWEEP_INTERVAL_S: integer(1, 3600).default(30),

  /** When the nightly retraining is enqueued (cron syntax, in ML_TRAIN_TIMEZONE). */
  ML_TRAIN_CRON: z
    .string()
    .refine((value) => validateCronExpression(value).valid, 'must be a cron expression such as "0 3 * * *"')
    .default('0 3 * * *'),
  ML_TRAIN_TIMEZONE: z
    .string()
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Paris')
    .default('UTC'),
  /** Share of decisions the policy explores at random (with its propensity recorded). */
  ML_EXPLORATION_RATE: fraction('must be a number between 0 and 1 such as 0.1').default(0.1),
  /** Share of decisions that explore "send nothing more" (bounded: a stop ends the shopper's reminders). */
  ML_STOP_EXPLORATION_RATE: fraction('must be a number between 0 and 0.2 such as 0.02')
    .refine((n) => n <= 0.2, 'must be a number between 0 and 0.2 such as 0.02')
    .default(0.02),
  /** The shop's gross margin on revenue: what a recovered cart is worth before the discount. */
  ML_MARGIN_RATE: fraction('must be a number between 0 and 1 such as 0.3').default(0.3),
  ML_MESSAGE_COSTS: messageCosts.default({ email: 0.001, push: 0.0005, sms: 0.0079 }),
  /** Below this many matured decisions a training run evaluates but never promotes. */
  ML_MIN_TRAINING_EXAMPLES: integer(10, 10_000_000).default(2000),
  /** A new model is not promoted when its policy would spend more than this share of its margin on discounts. */
  ML_MAX_DISCOUNT_SHARE: fraction('must be a number between 0 and 1 such as 0.5').default(0.5),
  /** A bearer token for the operations API (model versions, training runs) until the console's sessions arrive. */
  ADMIN_API_TOKEN: z.string().min(32, 'must be at least 32 characters (use a random secret)').optional(),

  /** Payment providers in routing order; one whose credentials are not set is skipped. */
  PAYMENT_PROVIDERS: paymentProviderList.default([...PAYMENT_PROVIDERS]),
  /** Each provider call (create, confirm, authorise, capture) gives up after this long. */
  PAYMENT_TIMEOUT_MS: integer(100, 120_000).default(10_000),
  /** Attempts one saved card may make in 30 days, failovers included; beyond it we refuse without calling. */
  PAYMENT_MAX_ATTEMPTS_PER_CARD: integer(1, 1000).default(10),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$/, 'must be a Stripe secret key (sk_test_…, sk_live_…, or a restricted rk_… key)').optional(),
  /** Where the Stripe SDK sends requests; tests point it at a local peer. */
  STRIPE_API_BASE: url(['http:', 'https:']).default('https://api.stripe.com'),
  ADYEN_API_KEY: z.string().regex(/^\S{16,}$/, "must be the API key of an Adyen web service user").optional(),
  ADYEN_MERCHANT_ACCOUNT: z.string().regex(/^[A-Za-z0-9_.-]{2,80}$/, 'must be an Adyen merchant account name').optional(),
  /** The Checkout API base with its version; live accounts use https://<prefix>-checkout-live.adyenpayments.com/checkout/v72. */
  ADYEN_API_BASE: url(['https:']).default('https://checkout-test.adyen.com/v72'),

  /**
   * How often the report rollups fold changed checkouts in the background. Longer lets the several changes of a
   * checkout (abandoned, planned, sending, sent) fold once; a report read folds what is pending first anyway.
   */
  REPORT_FOLD_INTERVAL_S: integer(1, 3600).default(30),
  /** A payment left `charging` this long (a crash, a lost answer) is settled from the providers' records. */
  CHECKOUT_RECONCILE_AFTER_S: integer(1, 86_400).default(60),
  CHECKOUT_RECONCILE_INTERVAL_S: integer(1, 3600).default(30),
  /** How long the checkout link in a reminder stays valid. */
  CHECKOUT_LINK_TTL_H: integer(1, 24 * 90).default(24 * 14),
  /** Who checks that an address exists: `offline` (format only, no autocomplete) or `mapbox` (Geocoding API v6). */
  ADDRESS_PROVIDER: z.enum(['offline', 'mapbox'], { message: 'must be one of offline, mapbox' }).default('offline'),
  MAPBOX_ACCESS_TOKEN: z.string().regex(/^(pk|sk|tk)\.\S+$/, 'must be a Mapbox access token (pk.…, sk.… or tk.…)').optional(),
  /** Where Mapbox requests go; tests point it at a local peer. */
  MAPBOX_API_BASE: url(['http:', 'https:']).default('https://api.mapbox.com'),
  MAPBOX_TIMEOUT_MS: integer(100, 30_000).default(2500),
  /** Mapbox's permanent geocoding (billed separately): the only kind whose results may be stored, so cached. */
  MAPBOX_PERMANENT: z.enum(['true', 'false'], { message: 'must be "true" or "false"' }).default('false').transform((v) => v === 'true'),
  /** Seconds an autocomplete answer is kept in Redis per query and country; 0 (the default) keeps none. */
  ADDRESS_AUTOCOMPLETE_CACHE_S: integer(0, 86_400).default(0),
  /** Autocomplete requests per source per minute: write keys are public, and every request spends provider quota. */
  ADDRESS_AUTOCOMPLETE_PER_MINUTE: integer(1, 1_000_000).default(1800),
});

type Environment = z.infer<typeof environmentSchema>;

export interface AppConfig {
  databaseUrl: string;
  databasePoolSize: number;
  databasePreparedStatements: boolean;
  redisUrl: string;
  redisPrefix: string;
  port: number;
  host: string;
  /** Fastify's trustProxy: false (the TCP peer is the client), a hop count, or the trusted proxies. */
  trustProxy: false | number | string[];
  publicUrl: string;
  role: Role;
  logLevel: Environment['LOG_LEVEL'];
  shutdownTimeoutMs: number;
  sourceCacheTtlMs: number;
  migrateOnStart: boolean;
  smtp?: { url: string; from: string };
  twilio?: { accountSid: string; authToken: string; from: string; apiBase: string };
  /** Keys are generated and stored on first start when absent. */
  vapid: { subject?: string; publicKey?: string; privateKey?: string };
  pushServiceHosts: string[];
  campaignTimeScale: number;
  workerConcurrency: number;
  sweepIntervalMs: number;
  ml: {
    trainCron: string;
    trainTimezone: string;
    explorationRate: number;
    stopExplorationRate: number;
    marginRate: number;
    messageCost: Record<'email' | 'push' | 'sms', number>;
    minTrainingExamples: number;
    maxDiscountShare: number;
  };
  adminApiToken?: string;
  payments: {
    /** Routing order, only providers whose credentials are set. */
    providers: PaymentProviderName[];
    stripe?: { secretKey: string; apiBase: string };
    adyen?: { apiKey: string; merchantAccount: string; apiBase: string };
    timeoutMs: number;
    maxAttemptsPerCard: number;
  };
  reportFoldIntervalS: number;
  checkout: { reconcileAfterS: number; reconcileIntervalS: number; linkTtlHours: number };
  addresses: {
    provider: 'offline' | 'mapbox';
    /** Present when the provider is mapbox. */
    mapbox?: { accessToken: string; apiBase: string; timeoutMs: number; permanent: boolean };
    autocompleteCacheSeconds: number;
    autocompletePerMinute: number;
  };
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
  const incomplete = [
    ...requireTogether(env, ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM']),
    ...requireTogether(env, ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY']),
    ...requireTogether(env, ['ADYEN_API_KEY', 'ADYEN_MERCHANT_ACCOUNT']),
    ...addressProviderProblems(e),
  ];
  if (incomplete.length > 0) throw new ConfigError(incomplete);
  return {
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    port: e.PORT,
    host: e.HOST,
    trustProxy: e.TRUST_PROXY ?? false,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    role: e.ROLE,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    sourceCacheTtlMs: e.SOURCE_CACHE_TTL_S * 1000,
    migrateOnStart: e.MIGRATE_ON_START,
    smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.MAIL_FROM ?? 'Checkout recovery <no-reply@localhost>' } : undefined,
    twilio:
      e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN && e.TWILIO_FROM
        ? { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, from: e.TWILIO_FROM, apiBase: e.TWILIO_API_BASE.replace(/\/$/, '') }
        : undefined,
    vapid: { subject: e.VAPID_SUBJECT, publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY },
    pushServiceHosts: e.PUSH_SERVICE_HOSTS.split(',').map((h) => h.toLowerCase()),
    campaignTimeScale: e.CAMPAIGN_TIME_SCALE,
    workerConcurrency: e.WORKER_CONCURRENCY,
    sweepIntervalMs: e.SWEEP_INTERVAL_S * 1000,
    ml: {
      trainCron: e.ML_TRAIN_CRON,
      trainTimezone: e.ML_TRAIN_TIMEZONE,
      explorationRate: e.ML_EXPLORATION_RATE,
      stopExplorationRate: e.ML_STOP_EXPLORATION_RATE,
      marginRate: e.ML_MARGIN_RATE,
      messageCost: e.ML_MESSAGE_COSTS,
      minTrainingExamples: e.ML_MIN_TRAINING_EXAMPLES,
      maxDiscountShare: e.ML_MAX_DISCOUNT_SHARE,
    },
    adminApiToken: e.ADMIN_API_TOKEN,
    payments: paymentsConfig(e),
    reportFoldIntervalS: e.REPORT_FOLD_INTERVAL_S,
    checkout: { reconcileAfterS: e.CHECKOUT_RECONCILE_AFTER_S, reconcileIntervalS: e.CHECKOUT_RECONCILE_INTERVAL_S, linkTtlHours: e.CHECKOUT_LINK_TTL_H },
    addresses: {
      provider: e.ADDRESS_PROVIDER,
      mapbox:
        e.ADDRESS_PROVIDER === 'mapbox' && e.MAPBOX_ACCESS_TOKEN
          ? { accessToken: e.MAPBOX_ACCESS_TOKEN, apiBase: e.MAPBOX_API_BASE.replace(/\/$/, ''), timeoutMs: e.MAPBOX_TIMEOUT_MS, permanent: e.MAPBOX_PERMANENT }
          : undefined,
      autocompleteCacheSeconds: e.ADDRESS_AUTOCOMPLETE_CACHE_S,
      autocompletePerMinute: e.ADDRESS_AUTOCOMPLETE_PER_MINUTE,
    },
  };
}

function paymentsConfig(e: Environment): AppConfig['payments'] {
  const stripe = e.STRIPE_SECRET_KEY ? { secretKey: e.STRIPE_SECRET_KEY, apiBase: e.STRIPE_API_BASE.replace(/\/$/, '') } : undefined;
  const adyen =
    e.ADYEN_API_KEY && e.ADYEN_MERCHANT_ACCOUNT ? { apiKey: e.ADYEN_API_KEY, merchantAccount: e.ADYEN_MERCHANT_ACCOUNT, apiBase: e.ADYEN_API_BASE.replace(/\/$/, '') } : undefined;
  const configured = { stripe, adyen };
  return {
    providers: e.PAYMENT_PROVIDERS.filter((name) => configured[name] !== undefined),
    stripe,
    adyen,
    timeoutMs: e.PAYMENT_TIMEOUT_MS,
    maxAttemptsPerCard: e.PAYMENT_MAX_ATTEMPTS_PER_CARD,
  };
}

/** Variables that only make sense together: naming the missing ones beats silently disabling a channel. */
function requireTogether(env: NodeJS.ProcessEnv, names: string[]): string[] {
  const set = names.filter((n) => env[n]);
  if (set.length === 0 || set.length === names.length) return [];
  return names.filter((n) => !env[n]).map((n) => `${n}: is required when ${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set`);
}

/** Mapbox's terms forbid storing temporary geocoding results, and a cache stores them. */
function addressProviderProblems(e: Environment): string[] {
  if (e.ADDRESS_PROVIDER !== 'mapbox') return [];
  const problems: string[] = [];
  if (!e.MAPBOX_ACCESS_TOKEN) problems.push('MAPBOX_ACCESS_TOKEN: is required when ADDRESS_PROVIDER is mapbox');
  if (e.ADDRESS_AUTOCOMPLETE_CACHE_S > 0 && !e.MAPBOX_PERMANENT) {
    problems.push('ADDRESS_AUTOCOMPLETE_CACHE_S: must be 0 unless MAPBOX_PERMANENT is true (Mapbox forbids storing temporary geocoding results)');
  }
  return problems;
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
