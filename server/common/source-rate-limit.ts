import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { REDIS } from '../redis/redis.module';

export interface RateWindow {
  /** Validations allowed per source per window. @defaultValue 600 */
  max: number;
  /** @defaultValue 60 */
  windowSeconds: number;
}

export const VALIDATE_RATE_WINDOW: RateWindow = { max: 600, windowSeconds: 60 };

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts one request in a fixed window shared by every replica (Redis `INCR` with expiry). Fails open: when
 * Redis cannot answer, the request goes through, since refusing every checkout's code would be worse.
 */
export async function takeFromWindow(redis: Redis, key: string, window: RateWindow, now: Date): Promise<RateDecision> {
  const slot = Math.floor(now.getTime() / 1000 / window.windowSeconds);
  const counted = await redis.multi().incr(`${key}:${slot}`).expire(`${key}:${slot}`, window.windowSeconds * 2).exec();
  const count = Number(counted?.[0]?.[1] ?? 0);
  if (count <= window.max) return { allowed: true };
  return { allowed: false, retryAfterSeconds: (slot + 1) * window.windowSeconds - Math.floor(now.getTime() / 1000) };
}

/**
 * Limits a route per source, for routes a public write key opens: discount validation (so a leaked key cannot
 * sweep the code space quickly) and address autocomplete (each request spends provider quota).
 */
@Injectable()
export class SourceRateLimit {
  private readonly logger = new Logger(SourceRateLimit.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `route` names the limited route in the counter's key: each route has its own budget per source. */
  async take(sourceId: string, now: Date, window: RateWindow = VALIDATE_RATE_WINDOW, route = 'discounts:validate'): Promise<RateDecision> {
    try {
      return await takeFromWindow(this.redis, `${this.config.redisPrefix}:${route}:${sourceId}`, window, now);
    } catch (error) {
      this.logger.warn(`rate limit not checked: ${(error as Error).message}`);
      return { allowed: true };
    }
  }
}
