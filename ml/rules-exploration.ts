/**
 * The rules deciding, with the same share of exploration the model's policy has: the rules' action most of
 * the time, a uniformly random allowed action otherwise, and the propensity of whatever was chosen — so the
 * data logged before any model is promoted can train the first one.
 */
import { type Action, describeAction, sameAction } from './features';
import { randomInt, type Random } from './random';

export interface RulesDecision {
  action: Action;
  propensity: number;
  explored: boolean;
  source: 'rules' | 'exploration';
  reason: string;
}

export function decideByRules(rulesAction: Action, candidates: readonly Action[], explorationRate: number, random: Random): RulesDecision {
  const epsilon = candidates.length > 0 ? Math.min(Math.max(explorationRate, 0), 1) : 0;
  const explored = random() < epsilon;
  const action = explored ? candidates[randomInt(random, candidates.length)] : rulesAction;
  const uniform = candidates.some((c) => sameAction(c, action)) ? epsilon / candidates.length : 0;
  const propensity = (1 - epsilon) * (sameAction(action, rulesAction) ? 1 : 0) + uniform;
  return explored
    ? { action, propensity, explored, source: 'exploration', reason: `exploring (${Math.round(epsilon * 100)}% of decisions): ${describeAction(action)} instead of the rules' ${describeAction(rulesAction)}` }
    : { action, propensity, explored, source: 'rules', reason: `no promoted model: the rules decide (${describeAction(action)})` };
}
