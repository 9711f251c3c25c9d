import { describe, expect, it } from 'vitest';
import { createRandom } from './random';
import { chooseDelay, eligibleArms, posterior, recordOutcome, segmentKey, type SendTimeState, stateFromCounts, summarize } from './send-time-bandit';

const ARMS = [15, 60, 240, 1440];
const BOUNDS = { min: 15, max: 1440 };

describe('segments', () => {
  it('group customers by device, new or returning, and cart band', () => {
    expect(segmentKey({ device: 'mobile', isReturning: false, cartValue: 20 })).toBe('mobile|new|cart<50');
    expect(segmentKey({ device: 'desktop', isReturning: true, cartValue: 150 })).toBe('desktop|returning|cart150+');
  });
});

describe('choosing a delay', () => {
  it('stays inside the campaign bounds', () => {
    const random = createRandom(3);
    for (let i = 0; i < 200; i++) {
      const { delayMinutes } = chooseDelay({}, 's', ARMS, { min: 30, max: 300 }, random);
      expect([60, 240]).toContain(delayMinutes);
    }
    expect(eligibleArms(ARMS, { min: 30, max: 300 })).toEqual([60, 240]);
    expect(() => chooseDelay({}, 's', ARMS, { min: 2000, max: 3000 }, random)).toThrow(/no send-time arm/);
  });

  it('is certain when only one delay is allowed, and spreads evenly with no data', () => {
    expect(chooseDelay({}, 's', [60], BOUNDS, createRandom(1))).toEqual({ delayMinutes: 60, propensity: 1 });
    const picks = new Map<number, number>();
    const random = createRandom(9);
    for (let i = 0; i < 4000; i++) {
      const { delayMinutes, propensity } = chooseDelay({}, 's', ARMS, BOUNDS, random);
      picks.set(delayMinutes, (picks.get(delayMinutes) ?? 0) + 1);
      expect(propensity).toBeGreaterThan(0.1);
      expect(propensity).toBeLessThan(0.4);
    }
    for (const arm of ARMS) expect(picks.get(arm)! / 4000).toBeCloseTo(0.25, 1);
  });

  it('is reproducible for the same seed', () => {
    const state = stateFromCounts([{ segment: 's', armMinutes: 60, successes: 5, failures: 20 }]);
    expect(chooseDelay(state, 's', ARMS, BOUNDS, createRandom(42))).toEqual(chooseDelay(state, 's', ARMS, BOUNDS, createRandom(42)));
  });

  it('learns the best delay of each segment from outcomes, and the two segments apart', () => {
    // Truth: mobile shoppers come back most after 15 min, desktop shoppers after 4 h.
    const truth: Record<string, Record<number, number>> = {
      mobile: { 15: 0.2, 60: 0.12, 240: 0.08, 1440: 0.05 },
      desktop: { 15: 0.06, 60: 0.1, 240: 0.18, 1440: 0.08 },
    };
    const random = createRandom(7);
    let state: SendTimeState = {};
    const late = new Map<string, number[]>([
      ['mobile', []],
      ['desktop', []],
    ]);
    for (let i = 0; i < 6000; i++) {
      const segment = i % 2 === 0 ? 'mobile' : 'desktop';
      const { delayMinutes } = chooseDelay(state, segment, ARMS, BOUNDS, random);
      if (i >= 5000) late.get(segment)!.push(delayMinutes);
      state = recordOutcome(state, segment, delayMinutes, random() < truth[segment][delayMinutes]);
    }
    const share = (segment: string, arm: number) => late.get(segment)!.filter((d) => d === arm).length / late.get(segment)!.length;
    expect(share('mobile', 15)).toBeGreaterThan(0.7);
    expect(share('desktop', 240)).toBeGreaterThan(0.7);
    const summary = summarize(state);
    expect(summary.find((s) => s.segment === 'mobile')!.bestArm).toBe(15);
    expect(summary.find((s) => s.segment === 'desktop')!.bestArm).toBe(240);
  });
});

describe('the prior', () => {
  it("starts a new segment from the delay's pooled rate across segments", () => {
    const state = stateFromCounts([
      { segment: 'a', armMinutes: 60, successes: 300, failures: 700 },
      { segment: 'b', armMinutes: 60, successes: 100, failures: 900 },
    ]);
    const fresh = posterior(state, 'new-segment', 60);
    expect(fresh.alpha / (fresh.alpha + fresh.beta)).toBeCloseTo((1 + 2) / 12, 5);
    const own = posterior(state, 'a', 60);
    expect(own.alpha).toBeCloseTo(1 + 2 + 300, 5);
  });

  it('records outcomes without changing the state it was given', () => {
    const before: SendTimeState = {};
    const after = recordOutcome(before, 's', 60, true);
    expect(before).toEqual({});
    expect(after).toEqual({ s: { 60: { successes: 1, failures: 0 } } });
  });
});
