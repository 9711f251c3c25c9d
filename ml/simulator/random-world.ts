/**
 * Worlds the policy was not tuned on (format v2): three or four segments with parameters drawn at random
 * (seeded) over plausible ranges — discount sensitivity from none to strong, any channel preferred, mild to
 * harsh fatigue, interest that fades in a day or lasts three — around the default world's shop-wide timing
 * (organic returns and responses, hours of the day, time zones).
 */
import { createRandom, gammaSample, type Random } from '../random';
import { parseWorld, type World } from './world';

const between = (random: Random, lo: number, hi: number) => lo + (hi - lo) * random();
const r2 = (n: number) => Math.round(n * 100) / 100;
const r3 = (n: number) => Math.round(n * 1000) / 1000;
const r4 = (n: number) => Math.round(n * 10_000) / 10_000;

/** Weights summing exactly to 1 (rounded to 3 decimals, the rounding error on the last). */
function shares<K extends string>(random: Random, keys: readonly K[], concentration = 2): Record<K, number> {
  const raw = keys.map(() => gammaSample(random, concentration) + 0.05);
  const total = raw.reduce((s, v) => s + v, 0);
  const rounded = raw.map((v) => r3(v / total));
  rounded[rounded.length - 1] = r3(1 - rounded.slice(0, -1).reduce((s, v) => s + v, 0));
  return Object.fromEntries(keys.map((k, i) => [k, rounded[i]])) as Record<K, number>;
}

/** Evenings busiest, nights quiet: the hour mix of the default world. */
const ABANDON_HOURS = [1, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.5, 4, 4, 4.5, 4.5, 4, 4, 4.5, 5.5, 6.5, 7.5, 8, 7, 5, 2.5];

export function randomWorld(seed: number, sizes: { history?: number; eval?: number } = {}): World {
  const random = createRandom(seed * 7919 + 13);
  const count = 3 + (random() < 0.5 ? 1 : 0);
  const segmentShares = shares(random, Array.from({ length: count }, (_, i) => `s${i}`), 4);
  const segments = Object.values<number>(segmentShares).map((share, i) => ({
    name: `segment_${i}`,
    share,
    cart_value: { median: r2(between(random, 25, 220)), sigma: r2(between(random, 0.3, 0.8)) },
    margin_rate: r2(between(random, 0.25, 0.55)),
    returning_rate: r2(between(random, 0.1, 0.9)),
    device: shares(random, ['mobile', 'desktop', 'tablet'] as const),
    stage_mix: shares(random, ['started', 'contact', 'shipping', 'payment'] as const),
    reachable: { email: r2(between(random, 0.6, 1)), push: r2(between(random, 0.1, 0.8)), sms: r2(between(random, 0.1, 0.7)) },
    organic_logit: r2(between(random, -2.8, -1.6)),
    response_logit: r2(between(random, -4.2, -3.2)),
    stage_lift: { started: r2(between(random, -0.8, -0.2)), contact: 0, shipping: r2(between(random, 0, 0.4)), payment: r2(between(random, 0.3, 0.9)) },
    channel_lift: { email: r2(between(random, 0, 0.9)), push: r2(between(random, 0, 0.9)), sms: r2(between(random, 0, 1.1)) },
    discount_lift_per_pct: r3(random() < 0.3 ? between(random, 0, 0.015) : between(random, 0.02, 0.09)),
    discount_saturation_pct: Math.round(between(random, 5, 20)),
    fatigue_per_message: r2(between(random, -0.4, -0.05)),
    interest_half_life_hours: Math.round(between(random, 18, 72)),
    unsubscribe: { email: r4(between(random, 0.001, 0.006)), push: r4(between(random, 0.002, 0.01)), sms: r4(between(random, 0.005, 0.02)) },
  }));
  return parseWorld({
    version: 2,
    seed,
    history_checkouts: sizes.history ?? 50_000,
    eval_checkouts: sizes.eval ?? 20_000,
    discount_levels: [0, 5, 10, 15, 20],
    message_cost: { email: 0.001, push: 0.0005, sms: 0.0079 },
    lost_subscriber_cost: { email: 1.5, push: 0.5, sms: 2.5 },
    timezones: { 'Europe/Paris': 0.4, 'Europe/London': 0.15, 'America/New_York': 0.3, 'America/Los_Angeles': 0.15 },
    timezone_known_rate: 0.85,
    abandon_hour_weights: ABANDON_HOURS,
    organic_delay: { median_hours: 2.5, sigma: 1.5 },
    response_delay: { email: { median_hours: 2, sigma: 1.2 }, push: { median_hours: 0.6, sigma: 1 }, sms: { median_hours: 0.5, sigma: 1 } },
    hour_lift: { night: -0.6, morning: 0, afternoon: 0.05, evening: 0.15 },
    segments,
  });
}
