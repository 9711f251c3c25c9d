/**
 * The simulator decides as the engine does: for shoppers in the middle of their sequences, the engine's own
 * policy (`RecoveryPolicy.choose`, which builds its context with `decisionContextOf` and calls `decideStep`) and
 * the simulator's path (its engine view, batched `decideSteps`) take the same action with the same propensity.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DISCOUNT_RULES } from '../../campaigns/discount-rules';
import { planNextMessage } from '../../campaigns/planner';
import type { AppConfig } from '../../server/config/app-config';
import type { DiscountRulesSnapshot } from '../../server/ml/discount-rules-snapshot';
import type { ModelRegistry } from '../../server/ml/model-registry';
import { RecoveryPolicy } from '../../server/ml/recovery-policy';
import type { SendTimeLearning } from '../../server/ml/send-time-learning';
import type { LoadedPlannerInput } from '../../server/recovery/planning/planner-input';
import { decisionContextOf, discountContextOf } from '../decision-context';
import type { StepDecision } from '../step-decision';
import { featureModel } from '../test-support';
import { type DecisionRequest, simulate } from './event-loop';
import { engineView, type EngineView } from './engine-view';
import { modelChooser, PRODUCTION_EXPLORATION, rulesChooser } from './policies';
import { drawPopulation } from './shoppers';
import { parseWorld, worldEconomics } from './world';

const world = parseWorld(readFileSync(join(__dirname, '../worlds/default.json'), 'utf8'));
const economics = worldEconomics(world);
// Recovery rises with messages and offers, falls with the hours gone: decisions differ from shopper to shopper.
const model = featureModel((f) => Math.min(0.95, 0.04 + 0.06 * f('messages_total') + 0.25 * f('discount_after') + 0.05 * f('reachable_sms') - 0.01 * f('log_hours_since_abandon') + 0.02 * f('hour_cos')));

interface Seen {
  request: DecisionRequest;
  view: EngineView;
  decision: StepDecision;
}

/** Runs the simulator and keeps, for every decision, the engine's view of the shopper at that moment. */
function observe(choose: (rs: readonly DecisionRequest[]) => StepDecision[]): Seen[] {
  const shoppers = drawPopulation(world, { salt: 9, count: 250, start: new Date('2026-06-10T00:00:00Z'), days: 7, prefix: 'parity' });
  const seen: Seen[] = [];
  simulate({ world, discountRules: DEFAULT_DISCOUNT_RULES, economics }, shoppers, (requests) => {
    const decisions = choose(requests);
    requests.forEach((request, i) => {
      const { shopper, state, now } = request.truth;
      seen.push({ request, view: engineView(world.campaign, { shopper, sent: [...state.sent] }, now), decision: decisions[i] });
    });
    return decisions;
  });
  return seen;
}

function enginePolicy(promoted: boolean): RecoveryPolicy {
  const registry = { promoted: () => (promoted ? { versionId: 'id-7', label: 'v7', model } : null) } as unknown as ModelRegistry;
  const rules = { current: async () => DEFAULT_DISCOUNT_RULES } as unknown as DiscountRulesSnapshot;
  const sendTimes = { choose: async () => ({ segment: 'none', armMinutes: 60, propensity: 1 }) } as unknown as SendTimeLearning;
  const config = { ml: { marginRate: economics.marginRate, messageCost: economics.messageCost, explorationRate: PRODUCTION_EXPLORATION.rate, stopExplorationRate: PRODUCTION_EXPLORATION.stopRate } } as unknown as AppConfig;
  return new RecoveryPolicy(registry, rules, sendTimes, config);
}

function loadedOf(view: EngineView): LoadedPlannerInput {
  return { input: view.input, facts: { ...view.facts, planned: [], variants: [] }, experiment: { arm: 'treatment', secret: 'parity' }, displaced: [] };
}

async function compare(seen: Seen[], policy: RecoveryPolicy): Promise<number> {
  let compared = 0;
  for (const { request, view, decision } of seen) {
    const loaded = loadedOf(view);
    const stepIndex = request.input.ctx.stepIndex;
    const now = new Date(request.truth.now);
    // The engine's view of the same moment gives the simulator's contexts.
    expect(decisionContextOf(loaded, stepIndex, now)).toEqual(request.input.ctx);
    expect(discountContextOf(loaded, stepIndex)).toEqual(request.input.discount);
    const planned = planNextMessage(view.input);
    expect(planned).toMatchObject({ kind: 'send', stepIndex });
    const chosen = await policy.choose(loaded, stepIndex, now, request.input.step, (planned as { channel: 'email' | 'push' | 'sms' }).channel);
    if (decision.candidates.length === 1) {
      expect(chosen).toBeNull();
      continue;
    }
    expect(chosen!.policy).toMatchObject({ context: request.input.ctx, action: decision.action, propensity: decision.propensity, source: decision.source, candidates: decision.candidates, reason: decision.reason });
    expect(chosen!.stop ?? false).toBe(decision.action.channel === 'none');
    compared++;
  }
  return compared;
}

describe('the simulator and the engine decide alike', () => {
  it('with a promoted model, exploring at the production rates (the batched path against RecoveryPolicy.choose)', async () => {
    const seen = observe(modelChooser(model, 'v7', PRODUCTION_EXPLORATION));
    const compared = await compare(seen, enginePolicy(true));
    expect(compared).toBeGreaterThan(400);
    // Every step of the campaign, and both sends and stops, were compared.
    expect(new Set(seen.map((s) => s.request.input.ctx.stepIndex))).toEqual(new Set([0, 1, 2]));
    expect(seen.some((s) => s.decision.action.channel === 'none')).toBe(true);
    expect(seen.some((s) => s.decision.source === 'exploration')).toBe(true);
    expect(seen.some((s) => s.view.input.enrollment.length > 0 && s.request.input.afterUnansweredEmail)).toBe(true);
  }, 60_000);

  it('with no promoted model: the rules (the engine explores; the simulator path with the same rates)', async () => {
    const rulesExploring = (rs: readonly DecisionRequest[]) => rulesChooser(rs.map((r) => ({ ...r, input: { ...r.input, exploration: PRODUCTION_EXPLORATION } })));
    const compared = await compare(observe(rulesExploring), enginePolicy(false));
    expect(compared).toBeGreaterThan(400);
  }, 60_000);
});
