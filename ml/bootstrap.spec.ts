import { describe, expect, it } from 'vitest';
import { bootstrapInterval, quantile } from './bootstrap';
import { createRandom, standardNormal } from './random';

/** The mean of `values` over a resample's counts. */
const mean = (values: readonly number[]) => (counts: Uint32Array) => {
  let [sum, n] = [0, 0];
  counts.forEach((c, i) => ([sum, n] = [sum + c * values[i], n + c]));
  return n > 0 ? sum / n : Number.NaN;
};

describe('bootstrap intervals', () => {
  const random = createRandom(5);
  const values = Array.from({ length: 2000 }, () => 10 + 3 * standardNormal(random));

  it('covers the mean with about ±2 standard errors at 95 %', () => {
    const interval = bootstrapInterval(values.length, mean(values), { resamples: 400, seed: 3 });
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const se = 3 / Math.sqrt(values.length);
    expect(interval).toMatchObject({ level: 0.95, resamples: 400 });
    expect(interval.low).toBeLessThan(m);
    expect(interval.high).toBeGreaterThan(m);
    expect(interval.high - interval.low).toBeGreaterThan(2.6 * se);
    expect(interval.high - interval.low).toBeLessThan(5.2 * se);
  });

  it('is the same interval for the same seed, another for another', () => {
    const a = bootstrapInterval(values.length, mean(values), { seed: 42 });
    expect(bootstrapInterval(values.length, mean(values), { seed: 42 })).toEqual(a);
    expect(bootstrapInterval(values.length, mean(values), { seed: 43 })).not.toEqual(a);
    expect(a.resamples).toBe(200);
  });

  it('pairs: both sides on the same resampled units, so noise they share cancels from the difference', () => {
    // Two policies that differ by exactly 1 on every unit, on top of a large shared luck.
    const luck = values.map((v) => 50 * (v - 10));
    const better = luck.map((v) => v + 1);
    const paired = bootstrapInterval(values.length, (counts) => mean(better)(counts) - mean(luck)(counts), { seed: 1 });
    expect(paired.low).toBeCloseTo(1, 9);
    expect(paired.high).toBeCloseTo(1, 9);
    // Resampled apart, the same difference is lost in the luck.
    const other = createRandom(9);
    const unpaired = bootstrapInterval(values.length, (counts) => {
      const shuffled = new Uint32Array(counts.length);
      for (let j = 0; j < counts.length; j++) shuffled[Math.floor(other() * counts.length)] += 1;
      return mean(better)(counts) - mean(luck)(shuffled);
    }, { seed: 1 });
    expect(unpaired.low).toBeLessThan(0);
    expect(unpaired.high).toBeGreaterThan(2);
  });

  it('leaves out resamples the statistic cannot be computed on, and interpolates quantiles', () => {
    let calls = 0;
    const interval = bootstrapInterval(10, () => (calls++ % 2 === 0 ? Number.NaN : 5), { resamples: 20 });
    expect([interval.low, interval.high]).toEqual([5, 5]);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(quantile([], 0.5)).toBeNaN();
    expect(bootstrapInterval(0, () => 1).low).toBeNaN();
  });
});
