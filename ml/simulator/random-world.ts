/**
 * Worlds the policy was not tuned on: three or four segments with parameters drawn at random (seeded) over
 * plausible ranges — discount sensitivity from none to strong, any channel preferred, mild to harsh fatigue.
 */
import { createRandom, gammaSample, type Random } from '../random';
import { parseWorld, type World } from './world';

const between = (random: Random, lo: number, hi: number) => lo + (hi - lo) * random();
const r2 = (n: number) => Math.round(n * 100) / 100;
const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** Weights summing exactly to 1 (rounded to 3 decimals, the rounding error on the last). */
function shares<K extends string>(random: Random, keys: readonly K[], concentration = 2): Record<K, number> {
  const raw = keys.map(() => gammaSample(random, concentration) + 0.05);
  const total = raw.reduce((s, v) => s + v, 0);
  const rounded = raw.map((v) => r3(v / total));
  rounded[rounded.length - 1] = r3(1 - rounded.slice(0, -1).reduce((s, v) => s + v, 0));
  return Object.fromEntries(keys.map((k, i) => [k, rounded[i]])) as Record<K, number>;
}

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
    base_logit: r2(between(random, -3.2, -1.4)),
    stage_lift: { started: r2(between(random, -0.8, -0.2)), contact: 0, shipping: r2(between(random, 0, 0.4)), payment: r2(between(random, 0.3, 0.9)) },
    channel_lift: { email: r2(between(random, 0.1, 1.1)), push: r2(between(random, 0.1, 1.1)), sms: r2(between(random, 0.1, 1.3)) },
    discount_lift_per_pct: r3(random() < 0.3 ? between(random, 0, 0.015) : between(random, 0.02, 0.1)),
    discount_saturation_pct: Math.round(between(random, 5, 20)),
    fatigue_per_message: r2(between(random, -0.4, -0.05)),
  }));
  return parseWorld({
    seed,
    history_checkouts: sizes.history ?? 50_000,
    eval_checkouts: sizes.eval ?? 20_000,
    max_messages: 3,
    discount_levels: [0, 5, 10, 15, 20],
    message_cost: { email: 0.001, push: 0.0005, sms: 0.0079 },
    segments,
  });
}
