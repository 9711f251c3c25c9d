import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyedUniform, lognormalCdf, lognormalHours, normalCdf, normalQuantile } from './draws';
import { hourBand, openChance, organicChance, responseChance, responseLogit } from './truth';
import { parseWorld } from './world';

const world = parseWorld(readFileSync(join(__dirname, '../worlds/default.json'), 'utf8'));
const bargain = world.segments[0];

describe('the world truth formulas', () => {
  it("a message's pull matches a hand computation: channel, hour band, capped discount, fatigue, fading interest", () => {
    const m = { channel: 'sms' as const, localHour: 19, discountPct: 20, before: 2, hoursSinceAbandon: 36 };
    // -3.4 + 0.3 (shipping) + 0.9 (sms) + 0.15 (evening) + 0.08·15 (saturated) − 0.2·2 = −1.25
    expect(responseLogit(world, bargain, 'shipping', m)).toBeCloseTo(-1.25, 10);
    // One half-life (36 h) after abandonment, half the pull.
    expect(responseChance(world, bargain, 'shipping', m)).toBeCloseTo(0.5 / (1 + Math.exp(1.25)), 10);
    expect(responseChance(world, bargain, 'shipping', { ...m, hoursSinceAbandon: 0 })).toBeCloseTo(1 / (1 + Math.exp(1.25)), 10);
  });

  it('the organic chance, the open rate and the hour bands', () => {
    expect(organicChance(bargain, 'payment')).toBeCloseTo(1 / (1 + Math.exp(2.6 - 0.7)), 10);
    expect(openChance(bargain, 'email')).toBeCloseTo(1 / (1 + Math.exp(0.7)), 10);
    expect([0, 5, 6, 11, 12, 17, 18, 23].map(hourBand)).toEqual(['night', 'night', 'morning', 'morning', 'afternoon', 'afternoon', 'evening', 'evening']);
  });
});

describe('keyed draws', () => {
  it('are uniform, and fixed by their key alone', () => {
    const draws = Array.from({ length: 20_000 }, (_, i) => keyedUniform(7, 3, i));
    expect(draws.every((u) => u >= 0 && u < 1)).toBe(true);
    const mean = draws.reduce((s, u) => s + u, 0) / draws.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(draws.filter((u) => u < 0.1).length / draws.length).toBeCloseTo(0.1, 2);
    expect(keyedUniform(7, 3, 5)).toBe(draws[5]);
    expect(keyedUniform(7, 4, 5)).not.toBe(draws[5]);
  });

  it('the normal quantile inverts the CDF, and log-normal delays have the stated median', () => {
    for (const p of [0.001, 0.02, 0.3, 0.5, 0.9, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
    const delay = { median_hours: 2.5, sigma: 1.5 };
    expect(lognormalHours(delay, 0.5)).toBeCloseTo(2.5, 8);
    expect(lognormalCdf(delay, 2.5)).toBeCloseTo(0.5, 6);
    expect(lognormalCdf(delay, lognormalHours(delay, 0.93))).toBeCloseTo(0.93, 5);
    expect(lognormalCdf(delay, 0)).toBe(0);
  });
});
