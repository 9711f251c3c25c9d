import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { createPool } from '../../database/database';

/**
 * Connections for sends only. A send holds its connection (and the checkout's send lock) while the provider
 * answers, so sends get a pool sized to the worker's concurrency: they never starve ingestion of
 * connections, and an order waiting to suppress is never stuck behind sends queueing for the shared pool.
 */
@Injectable()
export class SendPool implements OnApplicationShutdown {
  readonly pool: Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = createPool(config.databaseUrl, config.workerConcurrency + 2);
  }

  async onApplicationShutdown() {
    await this.pool.end();
  }
}
