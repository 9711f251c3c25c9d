import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '../redis/redis.module';
import { takeFromWindow } from './source-rate-limit';

describe('takeFromWindow (real Redis)', () => {
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'test-rate-limit');
  const key = `test-${randomBytes(4).toString('hex')}:discounts:validate:src`;
  afterAll(async () => {
    const keys = await redis.keys(`${key}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('allows max requests per window, then refuses until the next window', async () => {
    const window = { max: 3, windowSeconds: 10 };
    const at = new Date('2026-11-26T10:00:02Z');
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await takeFromWindow(redis, key, window, at));
    expect(decisions).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }, { allowed: false, retryAfterSeconds: 8 }, { allowed: false, retryAfterSeconds: 8 }]);
    expect(await takeFromWindow(redis, key, window, new Date('2026-11-26T10:00:10Z'))).toEqual({ allowed: true });
    expect(await takeFromWindow(redis, `${key}-other-source`, window, at)).toEqual({ allowed: true });
    expect(await redis.ttl(`${key}:${Math.floor(at.getTime() / 10_000)}`)).toBeGreaterThan(0);
    await redis.del(`${key}-other-source:${Math.floor(at.getTime() / 10_000)}`);
  });
});
