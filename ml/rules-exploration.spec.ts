import { describe, expect, it } from 'vitest';
import type { Action } from './features';
import { createRandom } from './random';
import { decideByRules } from './rules-exploration';

const candidates: Action[] = [
  { channel: 'email', discountPct: 0 },
  { channel: 'email', discountPct: 10 },
  { channel: 'sms', discountPct: 0 },
  { channel: 'sms', discountPct: 10 },
];
const rules = candidates[3];

describe('deciding by the rules without a model', () => {
  it("takes the rules' action with propensity 1 when there is no exploration", () => {
    expect(decideByRules(rules, candidates, 0, createRandom(1))).toMatchObject({ action: rules, propensity: 1, source: 'rules' });
  });

  it('explores the configured share uniformly, and each propensity is the true probability of its action', () => {
    const random = createRandom(4);
    const counts = new Map<string, number>();
    const propensities = new Map<string, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const d = decideByRules(rules, candidates, 0.2, random);
      const key = `${d.action.channel}/${d.action.discountPct}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      propensities.set(key, d.propensity);
    }
    expect(propensities.get('sms/10')).toBeCloseTo(0.8 + 0.2 / 4, 10);
    expect(propensities.get('email/0')).toBeCloseTo(0.05, 10);
    for (const [key, count] of counts) expect(count / n).toBeCloseTo(propensities.get(key)!, 1);
    expect([...propensities.values()].reduce((s, p) => s + p, 0)).toBeCloseTo(1, 10);
  });

  it('has nothing to explore with a single allowed action', () => {
    expect(decideByRules(rules, [rules], 1, createRandom(2))).toMatchObject({ propensity: 1, source: 'rules', reason: 'the only allowed action: sms with 10% off' });
  });
});
