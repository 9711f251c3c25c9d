/**
 * A yardstick, not a policy: it knows each checkout's hidden segment and the world's true formula, and
 * plans the best sequence over the remaining steps among the same allowed actions. The gap between it and
 * the learned policy is what better learning could still win.
 */
import { sequenceAfter, type Action, type DecisionContext } from '../features';
import type { DecisionSpace } from '../decision-space';
import { maxDiscount } from '../features';
import type { SimulatedCheckout } from './checkouts';
import { deliveredMessages, recoveryProbability } from './outcome';
import type { StepChoice } from './sequence';
import type { World } from './world';

function bestValue(world: World, checkout: SimulatedCheckout, ctx: DecisionContext, candidates: Action[], space: DecisionSpace): { action: Action; value: number } {
  const segment = world.segments[checkout.segmentIndex];
  let best = { action: candidates[0], value: -Infinity };
  for (const action of candidates) {
    const cost = action.channel === 'none' ? 0 : world.message_cost[action.channel];
    const after = sequenceAfter(ctx, action);
    let value: number;
    if (action.channel !== 'none' && ctx.stepIndex + 1 < space.maxSteps) {
      const next = { ...ctx, stepIndex: ctx.stepIndex + 1, messagesSent: deliveredMessages(ctx.reachable, after) };
      value = bestValue(world, checkout, next, space.candidates(next), space).value - cost;
    } else {
      const sent = deliveredMessages(ctx.reachable, after);
      const p = recoveryProbability(segment, checkout.stage, sent);
      value = p * ctx.cartValue * (segment.margin_rate - maxDiscount(sent) / 100) - cost;
    }
    if (value > best.value) best = { action, value };
  }
  return best;
}

export function oracleChoice(world: World, checkout: SimulatedCheckout, ctx: DecisionContext, candidates: Action[], space: DecisionSpace): StepChoice {
  return { action: bestValue(world, checkout, ctx, candidates, space).action, propensity: 1 };
}
