/**
 * The policies the simulator compares, each deciding through `decideStep` — the engine's step decision:
 *
 *  - the seed schedule: the campaign's own channels in the planner's order, no offer except 10 % on the third
 *    step (index 2) — the seed campaign as it ran before any policy (its step 3 pinned to 10 %);
 *  - the rules: `decideStep` without a model (the rule's own offer, rounded down to an allowed percent);
 *  - a model's policy, exploiting or exploring at given rates (`decideSteps`, batched);
 *  - the logging policy of the history: uniformly random over the step's candidates, stopping included.
 *
 * "No messages" is not a policy here: it is every shopper held out (planned, never sent), as the control group is.
 */
import type { CampaignStep } from '../../campaigns/types';
import type { RecoveryModel } from '../model';
import { decideStep, type ExplorationRates, stepOptions } from '../step-decision';
import { decideSteps } from '../step-decision-batch';
import type { Chooser } from './event-loop';

/** The production defaults of ML_EXPLORATION_RATE and ML_STOP_EXPLORATION_RATE (server/config/app-config.ts). */
export const PRODUCTION_EXPLORATION: ExplorationRates = { rate: 0.1, stopRate: 0.02 };

/** The seed schedule's one offer: 10 % on the third step. */
export const SEED_OFFER = { stepIndex: 2, percent: 10 } as const;

/** A step as the seed schedule runs it: its offer fixed (within what the rules allow the shopper). */
export function seedScheduleStep(step: CampaignStep, stepIndex: number): CampaignStep {
  return { ...step, discountPct: stepIndex === SEED_OFFER.stepIndex ? SEED_OFFER.percent : 0 };
}

export const seedScheduleChooser: Chooser = (requests) => requests.map((r) => decideStep({ ...r.input, step: seedScheduleStep(r.input.step, r.input.ctx.stepIndex) }));

export const rulesChooser: Chooser = (requests) => requests.map((r) => decideStep(r.input));

export function modelChooser(model: RecoveryModel, version: string, exploration: ExplorationRates): Chooser {
  return (requests) => decideSteps(requests.map((r) => ({ ...r.input, model: { model, version }, exploration })));
}

/**
 * Uniform over the step's n candidates, through `decideStep`'s own exploration: stopping with probability 1/n,
 * a send the rest of the time, each send equally (1/n each), the propensity recorded as decideStep computes it.
 */
export const uniformChooser: Chooser = (requests) =>
  requests.map((r) => {
    const n = stepOptions(r.input).candidates.length;
    return decideStep({ ...r.input, exploration: n > 1 ? { rate: 1 - 1 / n, stopRate: 1 / n } : r.input.exploration });
  });
