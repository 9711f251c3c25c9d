import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createPool } from '../../server/database/database';
import { AppOptions } from '../../server/app.module';
import { createApp } from '../../server/bootstrap';
import { AppConfig, loadConfig } from '../../server/config/app-config';
import { createLogger } from '../../server/logging/logger';
import { SourcesService } from '../../server/sources/sources.service';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  database: TestDatabase;
  /** A pool on the suite's database, for assertions. */
  pool: Pool;
  /** The base URL the app listens on. */
  url: string;
  createSource(options?: { name?: string; shopifySecret?: string; allowedOrigins?: string[] }): Promise<{ id: string; writeKey: string }>;
  close(): Promise<void>;
}

/**
 * Boots the real application on its own database and Redis key prefix, listening on a free port
 * (or on `env.PORT`).
 * `env` overrides configuration the way the environment would. The seeded campaign's holdout is set to 0 unless
 * `keepSeededHoldout`.
 */
export async function startTestApp(label: string, env: Record<string, string> = {}, options: AppOptions & { keepSeededHoldout?: boolean } = {}): Promise<TestApp> {
  const database = await createTestDatabase(label);
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_POOL_SIZE: '5',
    // Suites that assert channels and discounts need the rules' choice; exploration is tested on its own.
    ML_EXPLORATION_RATE: '0',
    ML_STOP_EXPLORATION_RATE: '0',
    ...env,
  });
  const app = await createApp(config, createLogger(config.logLevel), options);
  // PORT may be fixed by the caller when PUBLIC_URL must be known before start-up (webhook signatures).
  await app.listen({ port: config.port, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const pool = createPool(database.url, 3);
  // The seeded campaign holds 10 % out; suites that expect every shopper reminded run without it (a marketer's 0 %).
  if (!options.keepSeededHoldout) await pool.query('UPDATE campaigns SET holdout_percent = 0');
  return {
    app,
    config,
    database,
    pool,
    url: `http://127.0.0.1:${address.port}`,
    async createSource(opts = {}) {
      const created = await app.get(SourcesService).create({ name: opts.name ?? 'Test store', shopifySecret: opts.shopifySecret, allowedOrigins: opts.allowedOrigins ?? [] });
      return { id: created.id, writeKey: created.writeKey };
    },
    async close() {
      await app.close();
      await pool.end();
      await database.drop();
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON; keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
