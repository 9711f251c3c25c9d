/**
 * The logged past of a simulated shop: every checkout of `history_checkouts` went through a uniformly
 * random policy over the actions allowed at each step, and every decision is logged with its propensity,
 * the actions it chose among, and the checkout's final outcome — what the nightly job trains on.
 */
import type { DiscountRule } from '../../campaigns/discount-rules';
import type { TrainingExample } from '../model';
import { createRandom, randomInt } from '../random';
import { drawCheckouts } from './checkouts';
import { runSequence, type StepChooser } from './sequence';
import type { World } from './world';

export const HISTORY_DAYS = 60;
const STEP_SPACING_MS = 24 * 3_600_000;

export const uniformChooser =
  (random: () => number): StepChooser =>
  (_ctx, candidates) => ({ action: candidates[randomInt(random, candidates.length)], propensity: 1 / candidates.length });

export interface History {
  examples: TrainingExample[];
  /** The moment the history ends (the nightly job's `now`). */
  end: Date;
}

export function generateHistory(world: World, opts: { discountRules: DiscountRule[]; end?: Date; count?: number }): History {
  const end = opts.end ?? new Date(Date.UTC(2026, 5, 1));
  const random = createRandom(world.seed);
  const checkouts = drawCheckouts(world, random, opts.count ?? world.history_checkouts, end, HISTORY_DAYS, 'h');
  const choose = uniformChooser(createRandom(world.seed + 1));
  const outcomes = createRandom(world.seed + 2);
  const examples: TrainingExample[] = [];
  for (const checkout of checkouts) {
    const result = runSequence(world, checkout, outcomes(), choose, { discountRules: opts.discountRules });
    const margin = result.recovered ? result.margin + result.messageCost : undefined;
    result.steps.forEach((step, i) => {
      examples.push({
        ctx: step.ctx,
        action: step.action,
        propensity: step.propensity,
        candidates: step.candidates,
        recovered: result.recovered,
        margin,
        decidedAt: new Date(Math.min(checkout.abandonedAt.getTime() + i * STEP_SPACING_MS, end.getTime())),
        checkoutId: checkout.id,
      });
    });
  }
  return { examples, end };
}
