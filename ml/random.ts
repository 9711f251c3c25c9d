/**
 * Seeded randomness for everything in `ml/`: the simulator, exploration, Thompson sampling, shuffling.
 * A `Random` is a function returning a uniform number in [0, 1); pass one in, never call Math.random.
 */

export type Random = () => number;

/** mulberry32: small, fast, and good enough for simulation; the same seed gives the same stream. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A child stream whose draws do not depend on how many draws the parent made afterwards. */
export function forkRandom(random: Random): Random {
  return createRandom(Math.floor(random() * 4294967296));
}

export function standardNormal(random: Random): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export function bernoulli(random: Random, p: number): boolean {
  return random() < p;
}

export function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** A key of a mix whose weights sum to 1. */
export function pickWeighted<K extends string>(random: Random, mix: Record<K, number>): K {
  const keys = Object.keys(mix) as K[];
  let u = random();
  for (const key of keys) {
    u -= mix[key];
    if (u < 0) return key;
  }
  return keys[keys.length - 1];
}

/** Marsaglia–Tsang; shape > 0. */
export function gammaSample(random: Random, shape: number): number {
  if (shape < 1) return gammaSample(random, shape + 1) * Math.pow(Math.max(random(), 1e-12), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(Math.max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function betaSample(random: Random, alpha: number, beta: number): number {
  const x = gammaSample(random, alpha);
  const y = gammaSample(random, beta);
  return x / (x + y);
}

export function shuffleInPlace<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
