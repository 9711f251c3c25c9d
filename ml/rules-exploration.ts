/**
 * The decision when no model is promoted: the rules' action, except for a share of decisions that explore
 * uniformly among the allowed actions. Without exploration the first model could only learn what the rules
 * already do; with it, every allowed action is tried now and then, with its propensity recorded.
 */
import { type Action, describeAction, sameAction } from './features';
import { randomInt, type Random } from './random';

export interface RulesDecision {
  action: Action;
  propensity: number;
  source: 'rules' | 'exploration';
  reason: string;
}

export function decideByRules(rulesAction: Action, candidates: readonly Action[], explorationRate: number, random: Random): RulesDecision {
  if (candidates.length <= 1) {
    return { action: rulesAction, propensity: 1, source: 'rules', reason: `the only allowed action: ${describeAction(rulesAction)}` };
  }
  const rate = Math.min(Math.max(explorationRate, 0), 1);
  const explored = random() < rate;
  const action = explored ? candidates[randomInt(random, candidates.length)] : rulesAction;
  const propensity = (1 - rate) * (sameAction(action, rulesAction) ? 1 : 0) + rate / candidates.length;
  return {
    action,
    propensity,
    source: explored ? 'exploration' : 'rules',
    reason: explored
      ? `exploring (${Math.round(rate * 100)}% of decisions, no promoted model yet): ${describeAction(action)} instead of the rules' ${describeAction(rulesAction)}`
      : `no promoted model: the rules decide (${describeAction(rulesAction)})`,
  };
}
