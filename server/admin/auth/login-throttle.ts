import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { REDIS } from '../../redis/redis.module';

/**
 * Progressive delays on console sign-in, kept in Redis (its clock and its counters, so every replica agrees).
 *
 * Two counters, never one per account alone: that one let anybody lock any owner out from anywhere.
 * - per address and account: guessing one account's password from one place;
 * - per address: spraying many accounts from one place.
 * Each allows a few failures, then every further one doubles the wait before the next attempt (1 s, 2 s, 4 s …,
 * at most 15 min). An attempt made before the wait is over is refused without reading the password, and counts:
 * a client that ignores Retry-After only makes its own wait grow. The owner signing in from an address without
 * failures is never slowed, whatever a stranger does elsewhere.
 */
export const THROTTLE_RULES = {
  /** Failures allowed per address and account before delays start. */
  freePerAccount: 3,
  /** Failures allowed per address (any accounts: a team behind one NAT) before delays start. */
  freePerAddress: 10,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60 * 1000,
  /** Counters are forgotten this long after their last wait ended. */
  forgetAfterMs: 60 * 60 * 1000,
} as const;

/**
 * KEYS: the counters (hashes of n = failures counted, until = ms before which attempts are refused).
 * ARGV: base, max, forget, then each key's free allowance.
 * An attempt while a counter is waiting counts on the waiting counters and is refused (the wait in ms is
 * returned). Otherwise it counts as a failure on every counter until the password proves otherwise (so parallel
 * guesses cannot all slip through before the first failure is recorded), and 0 is returned.
 */
const ATTEMPT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local base, max, forget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local function count(i)
  local n = redis.call('HINCRBY', KEYS[i], 'n', 1)
  local free = tonumber(ARGV[3 + i])
  local delay = 0
  if n > free then delay = math.min(max, base * 2 ^ (n - free - 1)) end
  redis.call('HSET', KEYS[i], 'until', now + delay)
  redis.call('PEXPIRE', KEYS[i], delay + forget)
  return delay
end
local waiting = {}
for i = 1, #KEYS do
  local u = tonumber(redis.call('HGET', KEYS[i], 'until') or '0')
  if u > now then table.insert(waiting, i) end
end
if #waiting > 0 then
  local wait = 0
  for _, i in ipairs(waiting) do wait = math.max(wait, count(i)) end
  return wait
end
for i = 1, #KEYS do count(i) end
return 0
`;

/**
 * After a correct password: the account's counter at this address is cleared; the address's keeps its other
 * failures (signing in to one's own account must not reset a sprayer's count), minus this attempt.
 * KEYS: the account counter, the address counter. ARGV: the address's free allowance.
 */
const SUCCESS_SCRIPT = `
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
  local n = redis.call('HINCRBY', KEYS[2], 'n', -1)
  if n <= tonumber(ARGV[1]) then redis.call('HSET', KEYS[2], 'until', 0) end
end
return 0
`;

@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private keys(ip: string, email: string): { account: string; address: string } {
    const prefix = `${this.config.redisPrefix}:login-throttle`;
    const who = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
    return { account: `${prefix}:account:${who}:${ip}`, address: `${prefix}:address:${ip}` };
  }

  /**
   * Records the attempt; answers the seconds to wait when it must be refused (then the password is not checked),
   * or 0 when the password may be checked (the attempt counts as a failure until `succeeded`).
   */
  async attempt(ip: string, email: string): Promise<number> {
    const { account, address } = this.keys(ip, email);
    const r = THROTTLE_RULES;
    const waitMs = Number(await this.redis.eval(ATTEMPT_SCRIPT, 2, account, address, r.baseDelayMs, r.maxDelayMs, r.forgetAfterMs, r.freePerAccount, r.freePerAddress));
    return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
  }

  async succeeded(ip: string, email: string): Promise<void> {
    const { account, address } = this.keys(ip, email);
    await this.redis.eval(SUCCESS_SCRIPT, 2, account, address, THROTTLE_RULES.freePerAddress);
  }
}
