import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import Redis from 'ioredis';
import type { RecoveryModel, SerializedModel } from '../../ml/model';
import { modelVersions } from '../../models/ml';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DATABASE, Database } from '../database/database';
import { createRedis, REDIS } from '../redis/redis.module';

export interface PromotedModel {
  versionId: string;
  /** "v12". */
  label: string;
  model: RecoveryModel;
}

/** A safety net for a missed announcement (Redis down at the moment of promotion). */
const POLL_INTERVAL_MS = 60_000;

/**
 * The model every process decides with. A promotion is announced over Redis, so all replicas load the new
 * version without a restart; a slow poll catches an announcement missed while Redis was away.
 */
@Injectable()
export class ModelRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ModelRegistry.name);
  private current: PromotedModel | null = null;
  private subscriber?: Redis;
  private poll?: NodeJS.Timeout;
  private refreshing: Promise<void> | null = null;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get channel() {
    return `${this.config.redisPrefix}:ml:promoted`;
  }

  async onModuleInit() {
    await this.refresh().catch((error: Error) => this.logger.error(`could not load the promoted model: ${error.message}`));
    this.subscriber = createRedis(this.config.redisUrl, 'cr-ml-subscriber');
    this.subscriber.on('message', () => void this.refresh().catch((error: Error) => this.logger.error(`could not load the promoted model: ${error.message}`)));
    this.subscriber.on('error', (error) => this.logger.warn(`model promotion subscription: ${error.message}`));
    await this.subscriber.subscribe(this.channel);
    this.poll = setInterval(() => void this.refresh().catch(() => undefined), POLL_INTERVAL_MS);
    this.poll.unref();
  }

  async onModuleDestroy() {
    if (this.poll) clearInterval(this.poll);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
    this.current?.model.dispose();
    this.current = null;
  }

  /** The promoted model, or null when none is (then the rules decide). */
  promoted(): PromotedModel | null {
    return this.current;
  }

  /** Loads the promoted version if it changed; concurrent calls share one load. */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Tells every process (this one included) that the promoted version changed. */
  async announce(): Promise<void> {
    await this.redis.publish(this.channel, 'promoted').catch((error: Error) => this.logger.warn(`could not announce the promotion: ${error.message}`));
    await this.refresh();
  }

  private async load(): Promise<void> {
    const [row] = await this.db
      .select({ id: modelVersions.id, number: modelVersions.number })
      .from(modelVersions)
      .where(eq(modelVersions.status, 'promoted'));
    if (!row) {
      this.swap(null);
      return;
    }
    if (row.id === this.current?.versionId) return;
    const [stored] = await this.db.select({ model: modelVersions.model }).from(modelVersions).where(eq(modelVersions.id, row.id));
    if (!stored) return;
    // Loaded lazily: a shop without a promoted model never pays for TensorFlow's start-up.
    const { loadRecoveryModel } = await import('../../ml/model');
    const model = await loadRecoveryModel(stored.model as SerializedModel);
    this.swap({ versionId: row.id, label: `v${row.number}`, model });
    this.logger.log(`deciding with model v${row.number}`);
  }

  private swap(next: PromotedModel | null) {
    const previous = this.current;
    this.current = next;
    if (previous && previous.versionId !== next?.versionId) previous.model.dispose();
  }
}
