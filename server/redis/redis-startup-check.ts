import Redis from 'ioredis';
import { connectionReason, UnreachableDependency } from '../database/startup-check';

/**
 * Connects once to Redis before anything else does, without retrying: ioredis otherwise reconnects forever,
 * printing a stack trace per attempt, until a command gives up with MaxRetriesPerRequestError.
 */
export async function checkRedisReachable(redisUrl: string, timeoutMs = 5000): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let lastError: unknown;
  redis.on('error', (error) => (lastError = error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new UnreachableDependency('Redis', redisUrl, connectionReason(lastError ?? error));
  } finally {
    redis.disconnect();
  }
}
