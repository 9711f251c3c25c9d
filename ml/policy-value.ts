/**
 * Off-policy margin per 1000 abandonments of the model's policy and of the rules on logged checkouts,
 * with Q̂ from a model (see off-policy.ts). Decisions are scored in batches: one model call per chunk of
 * rows rather than per decision.
 */
import { type Action, type DecisionContext, encodeFeatures, maxDiscount, sameAction, sequenceAfter } from './features';
import type { RecoveryModel, TrainingExample } from './model';
import { type LoggedDecision, weightedMarginPer1000 } from './off-policy';
import { type Economics, scoreMany } from './plan-search';
import { type DecisionSpace, lookaheadFor } from './decision-space';

function candidatesOf(example: TrainingExample, space: DecisionSpace): Action[] {
  return example.candidates && example.candidates.length > 0 ? example.candidates : space.candidates(example.ctx);
}

/** The greedy (no exploration) policy of `policyModel`, with Q̂ from the same model. */
export function modelPolicyValue(policyModel: RecoveryModel, trajectories: readonly TrainingExample[][], space: DecisionSpace, economics: Economics): number {
  const flat = trajectories.flat();
  const scores = scoreMany(
    policyModel,
    flat.map((e) => ({ ctx: e.ctx, candidates: candidatesOf(e, space), lookahead: lookaheadFor(space, e.ctx) })),
    economics,
  );
  let k = 0;
  const decisions = trajectories.map((trajectory) =>
    trajectory.map((example): LoggedDecision => {
      const s = scores[k++];
      const best = s.reduce((top, c) => (c.expectedMargin > top.expectedMargin ? c : top));
      const logged = s.find((c) => sameAction(c.action, example.action));
      return { example, target: best.action, qTarget: best.expectedMargin, qLogged: logged ? logged.expectedMargin : 0 };
    }),
  );
  return weightedMarginPer1000(decisions, economics);
}

/** The sequence that follows `action` when the rules take every later step: its last decision and its costs. */
function rulesRollout(ctx: DecisionContext, action: Action, space: DecisionSpace, economics: Economics): { row: number[]; payoff: number; cost: number } {
  let state = ctx;
  let next = action;
  let cost = 0;
  for (;;) {
    if (next.channel !== 'none') cost += economics.messageCost[next.channel];
    if (next.channel === 'none' || state.stepIndex + 1 >= space.maxSteps) break;
    const after: DecisionContext = { ...state, stepIndex: state.stepIndex + 1, messagesSent: sequenceAfter(state, next) };
    const following = space.rulesAction(after);
    [state, next] = [after, following];
  }
  const pct = maxDiscount(sequenceAfter(state, next));
  return { row: encodeFeatures(state, next), payoff: state.cartValue * (economics.marginRate - pct / 100), cost };
}

/** The rules' policy, with Q̂ from `qModel` rolling the rules forward. */
export function rulesPolicyValue(qModel: RecoveryModel, trajectories: readonly TrainingExample[][], space: DecisionSpace, economics: Economics): number {
  const rollouts = trajectories.flat().flatMap((e) => [rulesRollout(e.ctx, e.action, space, economics), rulesRollout(e.ctx, space.rulesAction(e.ctx), space, economics)]);
  const p = qModel.predictEncoded(rollouts.map((r) => r.row));
  const q = rollouts.map((r, i) => p[i] * r.payoff - r.cost);
  let k = 0;
  const decisions = trajectories.map((trajectory) =>
    trajectory.map((example): LoggedDecision => {
      const [qLogged, qTarget] = [q[k], q[k + 1]];
      k += 2;
      return { example, target: space.rulesAction(example.ctx), qLogged, qTarget };
    }),
  );
  return weightedMarginPer1000(decisions, economics);
}
