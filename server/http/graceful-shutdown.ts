import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ShutdownState } from '../health/shutdown-state';

/** Counts requests between arrival and response, so shutdown can wait for exactly those. */
export class InFlightRequests {
  private count = 0;
  private waiters: Array<() => void> = [];

  install(fastify: FastifyInstance) {
    const open = new WeakSet<object>();
    fastify.addHook('onRequest', async (request) => {
      open.add(request);
      this.count++;
    });
    // A request ends either with its response or by the client going away; count it once.
    const done = async (request: object) => {
      if (!open.delete(request)) return;
      this.count--;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
    fastify.addHook('onResponse', done);
    fastify.addHook('onRequestAbort', done);
  }

  get size() {
    return this.count;
  }

  drained(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Stop order: turn /health red, stop accepting connections, let in-flight requests finish (their
 * transactions commit and they get their answer), then close connections, jobs and pools.
 */
export async function shutDownGracefully(app: NestFastifyApplication, inFlight: InFlightRequests, logger: Logger): Promise<void> {
  app.get(ShutdownState).draining = true;
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.server.close();
  fastify.server.closeIdleConnections();
  if (inFlight.size > 0) logger.info({ requests: inFlight.size }, 'waiting for requests in flight');
  await inFlight.drained();
  fastify.server.closeAllConnections();
  await app.close();
}
