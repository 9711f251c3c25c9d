import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import Redis from 'ioredis';
import { sources, type Source } from '../../models';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DATABASE, Database, Transaction } from '../database/database';
import { createRedis, REDIS } from '../redis/redis.module';
import { NewSource, newSourceSchema } from './source-input';
import { generateServerKey, generateWriteKey, hashWriteKey, writeKeyPrefix } from './write-key';

export interface AuthenticatedSource {
  id: string;
  name: string;
  shopifySecret: string | null;
  allowedOrigins: string[];
  /** ISO 4217; for Ecommerce events that do not name their currency. */
  defaultCurrency: string;
}

export interface SourceChanges {
  name?: string;
  allowedOrigins?: string[];
  /** A string sets it, null removes it. */
  shopifySecret?: string | null;
  requireEmailOptIn?: boolean;
  defaultCurrency?: string;
  enabled?: boolean;
}

export interface CreatedSource {
  id: string;
  name: string;
  writeKey: string;
}

function authenticated(row: AuthenticatedSource & { enabled: boolean }): AuthenticatedSource {
  return { id: row.id, name: row.name, shopifySecret: row.shopifySecret, allowedOrigins: row.allowedOrigins, defaultCurrency: row.defaultCurrency };
}

interface CacheEntry {
  source: AuthenticatedSource | null;
  expiresAt: number;
}

/** Creates sources and resolves write keys, caching lookups; every change is broadcast so other replicas forget at once. */
/** What a write key or a server key resolves to: the source as ingestion and the checkout API see it. */
const AUTHENTICATION_COLUMNS = {
  id: sources.id,
  name: sources.name,
  shopifySecret: sources.shopifySecret,
  allowedOrigins: sources.allowedOrigins,
  defaultCurrency: sources.defaultCurrency,
  enabled: sources.enabled,
};

@Injectable()
export class SourcesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SourcesService.name);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly origins = new Set<string>();
  private originsLoadedAt = 0;
  private subscriber?: Redis;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get channel() {
    return `${this.config.redisPrefix}:sources:changed`;
  }

  async onModuleInit() {
    this.subscriber = createRedis(this.config.redisUrl, 'cr-sources-subscriber');
    this.subscriber.on('message', () => this.forget());
    this.subscriber.on('error', (error) => this.logger.warn(`source change subscription: ${error.message}`));
    await this.subscriber.subscribe(this.channel);
  }

  async onModuleDestroy() {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** `within`: more work for the same transaction (e.g. the console's audit row). The change is announced after commit. */
  async create(input: NewSource, within?: (tx: Transaction, created: Source) => Promise<void>): Promise<CreatedSource> {
    const valid = newSourceSchema.parse(input);
    const writeKey = generateWriteKey();
    const row = await this.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(sources)
        .values({
          name: valid.name,
          writeKeyHash: hashWriteKey(writeKey),
          writeKeyPrefix: writeKeyPrefix(writeKey),
          shopifySecret: valid.shopifySecret ?? null,
          allowedOrigins: valid.allowedOrigins,
          requireEmailOptIn: valid.requireEmailOptIn,
          defaultCurrency: valid.defaultCurrency,
        })
        .returning();
      if (within) await within(tx, created);
      return created;
    });
    await this.announceChange();
    return { id: row.id, name: row.name, writeKey };
  }

  /**
   * Changes a source's name, origins, Shopify secret (null removes it), email opt-in rule, default currency or enabled state;
   * null when no source has that id. `within` runs in the same transaction; the change is announced after commit.
   */
  async update(id: string, changes: SourceChanges, within?: (tx: Transaction, before: Source, after: Source) => Promise<void>): Promise<Source | null> {
    const row = await this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(sources).where(eq(sources.id, id)).for('update');
      if (!before) return null;
      const enabledChange = changes.enabled === undefined || changes.enabled === before.enabled ? {} : { enabled: changes.enabled, disabledAt: changes.enabled ? null : new Date() };
      const set = {
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.allowedOrigins !== undefined ? { allowedOrigins: changes.allowedOrigins } : {}),
        ...(changes.shopifySecret !== undefined ? { shopifySecret: changes.shopifySecret } : {}),
        ...(changes.requireEmailOptIn !== undefined ? { requireEmailOptIn: changes.requireEmailOptIn } : {}),
        ...(changes.defaultCurrency !== undefined ? { defaultCurrency: changes.defaultCurrency } : {}),
        ...enabledChange,
      };
      // Nothing to change (`{}`, or `enabled` as it already is): an UPDATE without columns would be a 500.
      const [after] = Object.keys(set).length ? await tx.update(sources).set(set).where(eq(sources.id, id)).returning() : [before];
      if (within) await within(tx, before, after);
      return after;
    });
    if (row) await this.announceChange();
    return row;
  }

  /** Returns false when no source has that id. */
  async setEnabled(id: string, enabled: boolean): Promise<boolean> {
    const rows = await this.db
      .update(sources)
      .set({ enabled, disabledAt: enabled ? null : new Date() })
      .where(eq(sources.id, id))
      .returning({ id: sources.id });
    await this.announceChange();
    return rows.length > 0;
  }

  async list() {
    return this.db
      .select({
        id: sources.id,
        name: sources.name,
        enabled: sources.enabled,
        writeKeyPrefix: sources.writeKeyPrefix,
        allowedOrigins: sources.allowedOrigins,
        defaultCurrency: sources.defaultCurrency,
        createdAt: sources.createdAt,
      })
      .from(sources)
      .orderBy(sources.createdAt);
  }

  async authenticate(writeKey: string, now = Date.now()): Promise<AuthenticatedSource | null> {
    const hash = hashWriteKey(writeKey);
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > now) return cached.source;
    const [row] = await this.db
      .select(AUTHENTICATION_COLUMNS)
      .from(sources)
      .where(eq(sources.writeKeyHash, hash));
    const source = row && row.enabled ? authenticated(row) : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { source, expiresAt: now + this.config.sourceCacheTtlMs });
    return source;
  }

  /** Issues a new server key for the source (the previous one stops working at once); null when no source has that id. */
  async rotateServerKey(id: string): Promise<string | null> {
    const serverKey = generateServerKey();
    const rows = await this.db
      .update(sources)
      .set({ serverKeyHash: hashWriteKey(serverKey), serverKeyPrefix: writeKeyPrefix(serverKey) })
      .where(eq(sources.id, id))
      .returning({ id: sources.id });
    await this.announceChange();
    return rows.length > 0 ? serverKey : null;
  }

  /** The enabled source a storefront's server key belongs to, cached like write keys. */
  async authenticateServerKey(serverKey: string, now = Date.now()): Promise<AuthenticatedSource | null> {
    const hash = hashWriteKey(serverKey);
    const cacheKey = `server:${hash}`;
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > now) return cached.source;
    const [row] = await this.db
      .select(AUTHENTICATION_COLUMNS)
      .from(sources)
      .where(eq(sources.serverKeyHash, hash));
    const source = row && row.enabled ? authenticated(row) : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { source, expiresAt: now + this.config.sourceCacheTtlMs });
    return source;
  }

  /** Origins any enabled source accepts; used to answer CORS preflights, which carry no key. */
  async isKnownOrigin(origin: string, now = Date.now()): Promise<boolean> {
    if (now - this.originsLoadedAt > this.config.sourceCacheTtlMs) {
      const rows = await this.db.select({ allowedOrigins: sources.allowedOrigins }).from(sources).where(eq(sources.enabled, true));
      this.origins.clear();
      for (const row of rows) for (const o of row.allowedOrigins) this.origins.add(o);
      this.originsLoadedAt = now;
    }
    return this.origins.has(origin);
  }

  private forget() {
    this.cache.clear();
    this.originsLoadedAt = 0;
  }

  private async announceChange() {
    this.forget();
    await this.redis.publish(this.channel, 'changed').catch((error: Error) => this.logger.warn(`could not announce source change: ${error.message}`));
  }
}
