/**
 * Off-policy margin per 1000 abandonments of the model's policy and of the rules on logged checkouts,
 * with Q̂ from a model (see off-policy.ts). Decisions are scored in batches: one model call per chunk of
 * rows rather than per decision. The `…Decisions` functions score once and return the logged decisions with
 * their targets and Q̂ (margin and discount cost), which `training.ts` reduces to `WeightedTerms` and resamples.
 */
import { type Action, type DecisionContext, encodeFeatures, maxDiscount, sameAction, sequenceAfter } from './features';
import type { RecoveryModel, TrainingExample } from './model';
import { type LoggedDecision, weightedMarginPer1000 } from './off-policy';
import { type CandidateScore, type Economics, scoreMany } from './plan-search';
import { type DecisionSpace, lookaheadFor } from './decision-space';

function candidatesOf(example: TrainingExample, space: DecisionSpace): Action[] {
  return example.candidates && example.candidates.length > 0 ? example.candidates : space.candidates(example.ctx);
}

/** Q̂ of the discount a candidate's best plan would cost: P(recovered) × cart × its largest percent. */
function discountOf(ctx: DecisionContext, score: CandidateScore): number {
  const messages = score.plan.reduce((sent, action) => sequenceAfter({ messagesSent: sent }, action), ctx.messagesSent);
  return (score.probability * ctx.cartValue * maxDiscount(messages)) / 100;
}

/** The greedy (no exploration) policy of `policyModel` on each logged decision, with Q̂ from the same model. */
export function modelPolicyDecisions(policyModel: RecoveryModel, trajectories: readonly TrainingExample[][], space: DecisionSpace, economics: Economics): LoggedDecision[][] {
  const flat = trajectories.flat();
  const scores = scoreMany(
    policyModel,
    flat.map((e) => ({ ctx: e.ctx, candidates: candidatesOf(e, space), lookahead: lookaheadFor(space, e.ctx) })),
    economics,
  );
  let k = 0;
  return trajectories.map((trajectory) =>
    trajectory.map((example): LoggedDecision => {
      const s = scores[k++];
      const best = s.reduce((top, c) => (c.expectedMargin > top.expectedMargin ? c : top));
      const logged = s.find((c) => sameAction(c.action, example.action));
      return {
        example,
        target: best.action,
        qTarget: best.expectedMargin,
        qLogged: logged ? logged.expectedMargin : 0,
        discount: { qTarget: discountOf(example.ctx, best), qLogged: logged ? discountOf(example.ctx, logged) : 0 },
      };
    }),
  );
}

export function modelPolicyValue(policyModel: RecoveryModel, trajectories: readonly TrainingExample[][], space: DecisionSpace, economics: Economics): number {
  return weightedMarginPer1000(modelPolicyDecisions(policyModel, trajectories, space, economics), economics);
}

/** The sequence that follows `action` when the rules take every later step: its last decision and its costs. */
function rulesRollout(ctx: DecisionContext, action: Action, space: DecisionSpace, economics: Economics): { row: number[]; payoff: number; discount: number; cost: number } {
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
  return { row: encodeFeatures(state, next), payoff: state.cartValue * (economics.marginRate - pct / 100), discount: (state.cartValue * pct) / 100, cost };
}

/** The rules' policy on each logged decision, with Q̂ from `qModel` rolling the rules forward. */
export function rulesPolicyDecisions(qModel: RecoveryModel, trajectories: readonly TrainingExample[][], space: DecisionSpace, economics: Economics): LoggedDecision[][] {
  // The rules' own choice at each logged decision, as it was logged there (the campaign's steps, not a default one's).
  const rulesAt = (e: TrainingExample) => e.rulesAction ?? space.rulesAction(e.ctx);
  const rollouts = trajectories.flat().flatMap((e) => [rulesRollout(e.ctx, e.action, space, economics), rulesRollout(e.ctx, rulesAt(e), space, economics)]);
  const p = qModel.predictEncoded(rollouts.map((r) => r.row));
  const q = rollouts.map((r, i) => p[i] * r.payoff - r.cost);
  const d = rollouts.map((r, i) => p[i] * r.discount);
  let k = 0;
  return trajectories.map((trajectory) =>
    trajectory.map((example): LoggedDecision => {
      const i = k;
      k += 2;
      return { example, target: rulesAt(example), qLogged: q[i], qTarget: q[i + 1], discount: { qLogged: d[i], qTarget: d[i + 1] } };
    }),
  );
}

export function rulesPolicyValue(qModel: RecoveryModel, trajectories: readonly TrainingExample[][], space: DecisionSpace, economics: Economics): number {
  return weightedMarginPer1000(rulesPolicyDecisions(qModel, trajectories, space, economics), economics);
}
