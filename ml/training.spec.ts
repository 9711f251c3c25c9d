import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DISCOUNT_RULES } from '../campaigns/discount-rules';
import { decisionSpace } from './decision-space';
import { generateHistory } from './simulator/history';
import { parseWorld } from './simulator/world';
import { trainAndEvaluate } from './training';
import { runWorldEvaluation, worldEconomics } from './world-evaluation';

const world = parseWorld(readFileSync(join(__dirname, 'worlds/default.json'), 'utf8'));

describe('trainAndEvaluate', () => {
  it('never promotes on too little data, and says why', async () => {
    const small = { ...world, history_checkouts: 400 };
    const history = generateHistory(small, { discountRules: DEFAULT_DISCOUNT_RULES });
    const progress: number[] = [];
    const outcome = await trainAndEvaluate(history.examples, {
      now: history.end,
      economics: worldEconomics(small),
      space: decisionSpace({ levels: small.discount_levels, maxSteps: small.max_messages }),
      epochs: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(outcome.promote).toBe(false);
    expect(outcome.reason).toBe('too little data: 320 training checkouts, need 1000');
    expect(outcome.metrics).toMatchObject({ trainExamples: 320, holdoutExamples: 80 });
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(100);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);
    outcome.model?.dispose();
  });

  it('holds out the newest checkouts, and leaves out those still deciding after `now`', async () => {
    const small = { ...world, history_checkouts: 1500 };
    const history = generateHistory(small, { discountRules: DEFAULT_DISCOUNT_RULES });
    const cutoff = new Date(history.end.getTime() - 30 * 86_400_000);
    const outcome = await trainAndEvaluate(history.examples, { now: cutoff, holdoutFraction: 0.25, minExamples: 10, economics: worldEconomics(small), epochs: 1 });
    const late = new Set(history.examples.filter((e) => e.decidedAt > cutoff).map((e) => e.checkoutId));
    const settled = new Set(history.examples.map((e) => e.checkoutId).filter((id) => !late.has(id))).size;
    expect(settled).toBeLessThan(1000);
    expect(outcome.metrics.trainExamples + outcome.metrics.holdoutExamples).toBe(settled);
    expect(outcome.metrics.trainExamples).toBe(Math.round(settled * 0.75));
    outcome.model?.dispose();
  });
});

describe('runWorldEvaluation on a small world', () => {
  it('trains from a random-policy history and earns more than the rules and than sending nothing', async () => {
    const small = { ...world, history_checkouts: 6000, eval_checkouts: 3000 };
    const { rows, result } = await runWorldEvaluation(small, { epochs: 8 });
    const by = Object.fromEntries(rows.map((r) => [r.policy, r]));
    expect(Object.keys(by)).toEqual(['no_messages', 'seed_fixed_schedule', 'rules', 'ml_policy', 'ml_policy_exploring', 'oracle_knows_segment']);
    expect(by.oracle_knows_segment.marginPer1000).toBeGreaterThan(by.ml_policy.marginPer1000);
    expect(by.ml_policy.marginPer1000).toBeGreaterThan(by.rules.marginPer1000);
    expect(by.ml_policy.marginPer1000).toBeGreaterThan(by.no_messages.marginPer1000);
    expect(by.no_messages.discountCost).toBe(0);
    expect(by.no_messages.messagesPerCheckout).toBe(0);
    expect(result).toMatchObject({ name: 'ml_policy', metric: 'margin_per_1000', baseline: 'seed_fixed_schedule' });
    expect(result.ratio).toBeCloseTo(by.ml_policy.marginPer1000 / by.seed_fixed_schedule.marginPer1000, 3);
  }, 60_000);
});
