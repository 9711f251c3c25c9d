import { Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { connectionReason } from '../database/startup-check';
import { urlWithoutPassword } from '../logging/redaction';

export const REDIS = Symbol('REDIS');

export function createRedis(url: string, connectionName: string): Redis {
  const redis = new Redis(url, { connectionName, maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
  // One line per outage, naming the server (without its password), instead of ioredis's stack per retry.
  let reported: string | undefined;
  redis.on('error', (error) => {
    const reason = connectionReason(error);
    if (reason === reported) return;
    reported = reason;
    new Logger('Redis').warn(`Redis at ${urlWithoutPassword(url)} (${connectionName}): ${reason}`);
  });
  redis.on('ready', () => (reported = undefined));
  return redis;
}

/** One shared client for health checks, caches and publishing; BullMQ and subscribers open their own. */
@Global()
@Module({
  providers: [
    { provide: REDIS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createRedis(config.redisUrl, 'cr-shared') },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationBootstrap() {
    const warning = await redisEvictionWarning(this.redis);
    if (warning) new Logger('Redis').warn(warning);
  }

  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** BullMQ's delayed jobs and our dedupe keys vanish under any eviction policy but `noeviction`. */
export async function redisEvictionWarning(redis: Redis): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy && policy !== 'noeviction') {
      return `Redis maxmemory-policy is "${policy}"; set it to "noeviction" or queued reminders may be silently dropped`;
    }
  } catch {
    return 'Could not read Redis maxmemory-policy (CONFIG disabled?); make sure it is "noeviction"';
  }
  return undefined;
}
