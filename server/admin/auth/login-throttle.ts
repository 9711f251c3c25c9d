import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { REDIS } from '../../redis/redis.module';

/** Failed sign-ins allowed per window, per address and per email, before the door closes for the window. */
export const MAX_FAILED_LOGINS = 10;
export const LOGIN_WINDOW_S = 15 * 60;

/** Counts failed sign-ins in Redis (shared by every API replica) by client address and by email. */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private keys(ip: string, email: string): string[] {
    const prefix = `${this.config.redisPrefix}:login-fail`;
    return [`${prefix}:ip:${ip}`, `${prefix}:email:${email.trim().toLowerCase()}`];
  }

  /** Seconds until another attempt is allowed, or 0 when one is. */
  async blockedFor(ip: string, email: string): Promise<number> {
    const keys = this.keys(ip, email);
    const counts = await this.redis.mget(...keys);
    const over = keys.filter((_, i) => Number(counts[i] ?? 0) >= MAX_FAILED_LOGINS);
    if (over.length === 0) return 0;
    const ttls = await Promise.all(over.map((k) => this.redis.ttl(k)));
    return Math.max(1, ...ttls);
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    const pipeline = this.redis.multi();
    for (const key of this.keys(ip, email)) pipeline.incr(key).expire(key, LOGIN_WINDOW_S, 'NX');
    await pipeline.exec();
  }

  async recordSuccess(ip: string, email: string): Promise<void> {
    await this.redis.del(this.keys(ip, email)[1]);
  }
}
