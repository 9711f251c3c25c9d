import 'reflect-metadata';
import { createApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';
import { migrateDatabase } from './database/migrate';
import { checkDatabaseReachable, UnreachableDependency } from './database/startup-check';
import { checkRedisReachable } from './redis/redis-startup-check';
import { InFlightRequests, shutDownGracefully } from './http/graceful-shutdown';
import { createLogger } from './logging/logger';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // Both reachable before anything connects: otherwise a down Redis ends in stack traces naming neither it nor its URL.
  await Promise.all([checkDatabaseReachable(config.databaseUrl), checkRedisReachable(config.redisUrl)]);

  if (config.migrateOnStart) {
    await migrateDatabase(config.databaseUrl);
    logger.info('database migrations applied');
  }
  const app = await createApp(config, logger);
  await app.listen({ port: config.port, host: config.host });
  logger.info({ role: config.role, port: config.port, publicUrl: config.publicUrl }, 'checkout recovery is up');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: refusing new work, finishing what is in flight');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await shutDownGracefully(app, app.get(InFlightRequests), logger);
      logger.info('shut down cleanly');
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  if (error instanceof UnreachableDependency) {
    process.stderr.write(`checkout recovery failed to start: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`checkout recovery failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
