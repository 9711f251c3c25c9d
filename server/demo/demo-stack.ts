/**
 * The product with everything it talks to, in one process: local SMTP, Web Push, Twilio and Stripe peers (the
 * same ones the end-to-end tests use, speaking the real protocols), a database, and the app (every role) with
 * its channels and payments pointed at the peers and campaign time accelerated.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client, Pool } from 'pg';
import { startPushPeer, type PushPeer } from '../../e2e/peers/push-peer';
import { startSmtpPeer, type SmtpPeer } from '../../e2e/peers/smtp-peer';
import { startStripePeer, type StripePeer } from '../../e2e/peers/stripe-peer';
import { startTwilioPeer, type TwilioPeer } from '../../e2e/peers/twilio-peer';
import { createApp } from '../bootstrap';
import { loadConfig, type AppConfig } from '../config/app-config';
import { createPool } from '../database/database';
import { migrateDatabase } from '../database/migrate';
import { createLogger } from '../logging/logger';
import { DEFAULT_ADMIN_URL, DEMO_DATABASE } from './demo-options';

export interface DemoPeers {
  smtp: SmtpPeer;
  push: PushPeer;
  twilio: TwilioPeer;
  stripe: StripePeer;
}

export interface DemoStack {
  app: NestFastifyApplication;
  config: AppConfig;
  peers: DemoPeers;
  pool: Pool;
  url: string;
  close(): Promise<void>;
}

export interface DemoStackOptions {
  port: number;
  /** Absent: a fresh `checkout_recovery_demo` on the local server (dropped and created again). */
  databaseUrl?: string;
  redisUrl?: string;
  timeScale: number;
  logLevel?: string;
}

/** A port the OS says is free, for PUBLIC_URL (links in messages) to be known before the app starts. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Drops and creates the demo database, so every run starts from an empty store. */
async function freshDemoDatabase(): Promise<string> {
  const admin = new Client({ connectionString: DEFAULT_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${DEMO_DATABASE}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${DEMO_DATABASE}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(DEFAULT_ADMIN_URL);
  url.pathname = `/${DEMO_DATABASE}`;
  return url.toString();
}

export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const databaseUrl = options.databaseUrl ?? (await freshDemoDatabase());
  await migrateDatabase(databaseUrl);
  const [smtp, push, stripe] = await Promise.all([startSmtpPeer(), startPushPeer(), startStripePeer()]);
  const twilio = await startTwilioPeer({ accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex') });
  const peers = { smtp, push, twilio, stripe };
  const port = options.port === 0 ? await freePort() : options.port;
  const publicUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    // Its own keys: jobs of an earlier demo in the same Redis must not wake up here.
    REDIS_PREFIX: `demo-${randomBytes(4).toString('hex')}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: publicUrl,
    ROLE: 'all',
    LOG_LEVEL: options.logLevel ?? 'warn',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Boots & Co (demo) <shop@boots.example>',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE: twilio.url,
    PUSH_SERVICE_HOSTS: '127.0.0.1',
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
    PAYMENT_PROVIDERS: 'stripe',
    CAMPAIGN_TIME_SCALE: String(options.timeScale),
    SWEEP_INTERVAL_S: '1',
    REPORT_FOLD_INTERVAL_S: '2',
    CHECKOUT_RECONCILE_AFTER_S: '5',
    // A demo store has far fewer decisions than a real one: let the training run promote from a few hundred.
    ML_MIN_TRAINING_EXAMPLES: '50',
  };
  let app: NestFastifyApplication | undefined;
  let pool: Pool | undefined;
  try {
    const config = loadConfig(env);
    app = await createApp(config, createLogger(config.logLevel));
    await app.listen({ port, host: '127.0.0.1' });
    pool = createPool(databaseUrl, 3);
    const opened = { app, pool };
    return {
      app,
      config,
      peers,
      pool,
      url: publicUrl,
      async close() {
        await opened.app.close();
        await opened.pool.end();
        await closePeers(peers);
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await closePeers(peers);
    throw error;
  }
}

async function closePeers(peers: DemoPeers) {
  await Promise.all([peers.smtp.close(), peers.push.close(), peers.twilio.close(), peers.stripe.close()].map((p) => p.catch(() => undefined)));
}
