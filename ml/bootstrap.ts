/**
 * Percentile bootstrap of a statistic of n units (here: holdout checkouts), resampled with replacement. A resample
 * is given as counts (how many times each unit was drawn), so a statistic that already holds its per-unit numbers
 * (`WeightedTerms`) is recomputed without scoring anything again; a paired comparison evaluates both sides on the
 * same counts, so what the two policies share (the same checkouts' luck) cancels out of the difference.
 */
import { createRandom, randomInt } from './random';

export interface BootstrapOptions {
  /** @defaultValue 200 */
  resamples?: number;
  /** @defaultValue 0.95 */
  level?: number;
  /** @defaultValue 1 */
  seed?: number;
}

export interface BootstrapInterval {
  low: number;
  high: number;
  level: number;
  resamples: number;
}

/** The q-quantile of sorted values, interpolated linearly. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (at - below);
}

/** `statistic` on `resamples` resamples of n units with replacement; the central `level` interval of its values. */
export function bootstrapInterval(n: number, statistic: (counts: Uint32Array) => number, options: BootstrapOptions = {}): BootstrapInterval {
  const resamples = Math.max(1, Math.floor(options.resamples ?? 200));
  const level = options.level ?? 0.95;
  if (n === 0) return { low: Number.NaN, high: Number.NaN, level, resamples };
  const random = createRandom(options.seed ?? 1);
  const counts = new Uint32Array(n);
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    for (let j = 0; j < n; j++) counts[randomInt(random, n)] += 1;
    const value = statistic(counts);
    // A resample where a side has no usable weight says nothing; it is left out rather than counted as 0.
    if (Number.isFinite(value)) values.push(value);
  }
  values.sort((a, b) => a - b);
  return { low: quantile(values, (1 - level) / 2), high: quantile(values, 1 - (1 - level) / 2), level, resamples };
}
