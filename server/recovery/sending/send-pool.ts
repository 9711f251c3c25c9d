import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Socket } from 'node:net';
import { Pool, PoolClient, PoolConfig } from 'pg';
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
    // Every statement of a send is a key lookup whose best plan never depends on the values: planning it
    // once per connection (generic plans) instead of for every message saves most of the database's time.
    // Pipelining lets a send issue dependent-free statements together (BEGIN with the first read, COMMIT with
    // the unlock): about half the round trips of one statement at a time.
    this.pool = createPool(config.databaseUrl, config.workerConcurrency + 2, { options: '-c plan_cache_mode=force_generic_plan', pipeline: true } as PoolConfig, {
      preparedStatements: config.databasePreparedStatements,
    });
    this.pool.on('connect', coalesceWrites);
  }

  async onApplicationShutdown() {
    await this.pool.end();
  }
}

/**
 * pg writes each statement to the socket by itself: statements a send issues together (the locks, BEGIN and
 * the reads; the `sending` mark, COMMIT and the compose read) would cost one `write` system call and one
 * segment for the database to wake up for and read, each. Holding the socket's writes until the end of the
 * tick sends what was issued together in one; a statement waits at most for the rest of the tick.
 */
function coalesceWrites(client: PoolClient): void {
  const stream = (client as unknown as { connection?: { stream?: Socket } }).connection?.stream;
  if (!stream || typeof stream.cork !== 'function') return;
  const write = stream.write;
  let corked = false;
  const flush = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(flush);
    }
    return write.apply(this, args);
  } as Socket['write'];
}
