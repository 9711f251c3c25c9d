import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DISCOUNT_RULES } from '../campaigns/discount-rules';
import { trainRecoveryModel } from './model';
import { createRandom } from './random';
import { type DecisionRequest, simulate } from './simulator/event-loop';
import { decisionSeed as engineSeed } from './decision-context';
import { generateHistory } from './simulator/history';
import { uniformChooser } from './simulator/policies';
import { drawPopulation } from './simulator/shoppers';
import { parseWorld, worldEconomics } from './simulator/world';
import { decideStep, type StepDecisionInput } from './step-decision';
import { decideSteps } from './step-decision-batch';
import { featureModel } from './test-support';

const world = parseWorld(readFileSync(join(__dirname, 'worlds/default.json'), 'utf8'));
const economics = worldEconomics(world);

/** Decision requests from every step of simulated sequences (a uniform policy reaches every kind of state). */
function requests(count: number): DecisionRequest[] {
  const shoppers = drawPopulation(world, { salt: 3, count, start: new Date('2026-06-10T00:00:00Z'), days: 5, prefix: 'batch' });
  const out: DecisionRequest[] = [];
  simulate({ world, discountRules: DEFAULT_DISCOUNT_RULES, economics }, shoppers, (rs) => (out.push(...rs), uniformChooser(rs)));
  return out;
}

/** Fresh inputs each time: a decision consumes its random stream. */
function inputsOf(rs: readonly DecisionRequest[], model: StepDecisionInput['model'], i0 = 0): StepDecisionInput[] {
  return rs.map((r, i) => ({
    ...r.input,
    // Some decisions with no model, and every one exploring: the batch must draw exactly as decideStep does.
    model: (i + i0) % 5 === 0 ? null : model,
    exploration: { rate: 0.3, stopRate: 0.05 },
    random: createRandom(engineSeed(r.truth.shopper.id, r.input.ctx.stepIndex)),
  }));
}

describe('decideSteps', () => {
  const rs = requests(400);

  it('takes exactly the decision decideStep takes on each input (a model known in closed form)', () => {
    const model = { model: featureModel((f) => Math.min(0.9, 0.05 + 0.08 * f('messages_total') + 0.3 * f('discount_after') - 0.02 * f('log_hours_since_abandon'))), version: 'v1' };
    expect(rs.length).toBeGreaterThan(450);
    const batched = decideSteps(inputsOf(rs, model));
    const single = inputsOf(rs, model).map(decideStep);
    expect(batched).toEqual(single);
    expect(new Set(single.map((d) => d.source))).toEqual(new Set(['model', 'rules', 'exploration']));
  });

  it('and with a trained TF.js model: the same actions and propensities, the same scores', async () => {
    const history = generateHistory(world, { discountRules: DEFAULT_DISCOUNT_RULES, count: 800 });
    const trained = await trainRecoveryModel(history.examples, { epochs: 1, seed: 3 });
    try {
      const model = { model: trained, version: 'tf' };
      const batched = decideSteps(inputsOf(rs, model, 1));
      const single = inputsOf(rs, model, 1).map(decideStep);
      batched.forEach((b, i) => {
        const s = single[i];
        expect([b.action, b.propensity, b.source, b.candidates]).toEqual([s.action, s.propensity, s.source, s.candidates]);
        expect(b.scores.length).toBe(s.scores.length);
        b.scores.forEach((score, j) => expect(score.expectedMargin).toBeCloseTo(s.scores[j].expectedMargin, 9));
      });
    } finally {
      trained.dispose();
    }
  }, 60_000);
});
