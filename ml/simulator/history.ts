/**
 * The logged past of a simulated shop, as the nightly job would load it (server/ml/training-examples.ts):
 * shoppers abandon over `HISTORY_DAYS`, go through the campaign in event time under a uniformly random policy
 * over each step's candidates (stopping included, propensities recorded), and what the engine logs becomes
 * the training examples:
 *
 *  - the decision of every message that went out (a decision whose message an order suppressed never went
 *    out and is not logged), at its send time;
 *  - a policy stop, at its decision time;
 *  - a held-out shopper (the campaign's `holdoutPercent`, drawn per shopper) as one "send nothing" decision in
 *    the context of its first planned message (or first decision to stop), with the holdout probability as its
 *    propensity; a treated sequence's first propensity includes the other side of that draw, 1 − holdout.
 *
 * Every example is labelled by whether the shopper ordered within the attribution window from abandonment;
 * a recovery's `margin` is its revenue × the shop's margin rate less the code the order used, `discountCost`
 * that code's value. `history_checkouts` counts logged
 * checkouts: shoppers who never got a logged decision (no channel reached them, or they ordered before the
 * first message) are left out, as they are in production, and enough shoppers are drawn to log that many.
 */
import type { DiscountRule } from '../../campaigns/discount-rules';
import type { Action } from '../features';
import type { TrainingExample } from '../model';
import type { Economics } from '../plan-search';
import { DrawKind, keyedUniform } from './draws';
import { type ShopperOutcome, simulate } from './event-loop';
import { uniformChooser } from './policies';
import { drawPopulation, type SimShopper } from './shoppers';
import { type World, worldEconomics } from './world';

export const HISTORY_DAYS = 60;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const NO_MESSAGE: Action = { channel: 'none', discountPct: 0 };

export interface History {
  examples: TrainingExample[];
  /** The moment the history ends (the nightly job's `now`): every logged enrollment has settled by then. */
  end: Date;
}

export interface HistoryOptions {
  discountRules: DiscountRule[];
  /** @defaultValue 2026-06-01 UTC */
  end?: Date;
  /** Logged checkouts. @defaultValue world.history_checkouts */
  count?: number;
  /** @defaultValue worldEconomics(world) */
  economics?: Economics;
}

/** The held-out share of shoppers: the campaign's holdout (no store-wide one). */
export function holdoutShare(world: World): number {
  return world.campaign.holdoutPercent / 100;
}

export function isHeldOut(world: World, shopper: SimShopper): boolean {
  return keyedUniform(shopper.key, DrawKind.holdout) < holdoutShare(world);
}

/**
 * The examples the engine would have logged for one shopper, as server/ml/training-examples.ts loads them (none:
 * not logged at all). A recovery's `margin` is its revenue × the shop's margin rate − the discount its order used.
 */
export function loggedExamples(world: World, economics: Economics, outcome: ShopperOutcome): TrainingExample[] {
  const { shopper } = outcome;
  const h = holdoutShare(world);
  const label = outcome.recovered
    ? { recovered: true, margin: outcome.revenue * economics.marginRate - outcome.discountCost, discountCost: outcome.discountCost, checkoutId: shopper.id }
    : { recovered: false, checkoutId: shopper.id };
  if (outcome.control) {
    // The context of the first planned (withheld) message, or of a first decision to stop.
    const first = outcome.first;
    return first ? [{ ctx: first.ctx, action: NO_MESSAGE, propensity: h, decidedAt: shopper.abandonedAt, ...label }] : [];
  }
  return outcome.logged.map((d, k) => ({
    ctx: d.ctx,
    action: d.decision.action,
    // The holdout was drawn before the first decision: the sequence was logged with both chances.
    propensity: d.decision.propensity * (k === 0 ? 1 - h : 1),
    candidates: d.decision.candidates,
    rulesAction: d.decision.rulesAction,
    decidedAt: new Date(d.at),
    ...label,
  }));
}

export function generateHistory(world: World, opts: HistoryOptions): History {
  const end = opts.end ?? new Date(Date.UTC(2026, 5, 1));
  const wanted = opts.count ?? world.history_checkouts;
  const settleMs = Math.max(world.campaign.expiryHours, world.campaign.attributionWindowHours) * HOUR_MS;
  const start = new Date(end.getTime() - settleMs - HISTORY_DAYS * DAY_MS);
  const env = { world, discountRules: opts.discountRules, economics: opts.economics ?? worldEconomics(world) };
  const logged: TrainingExample[][] = [];
  // Populations spread over the same days until enough are logged; then an even thinning keeps the spread.
  for (let salt = 0; logged.length < wanted && salt < 20; salt++) {
    const count = Math.ceil((wanted - logged.length) * 1.12) + 10;
    const shoppers = drawPopulation(world, { salt: 100 + salt, count, start, days: HISTORY_DAYS, prefix: `h${salt}` });
    // As server/ml/training-examples.ts loads them: every decision taken, those of messages an order cancelled too.
    const outcomes = simulate(env, shoppers, uniformChooser, { control: (s) => isHeldOut(world, s), logCancelled: true });
    for (const outcome of outcomes) {
      const examples = loggedExamples(world, env.economics, outcome);
      if (examples.length > 0) logged.push(examples);
    }
  }
  if (logged.length < wanted) throw new Error(`could log only ${logged.length} of ${wanted} checkouts: does any channel reach the shoppers?`);
  logged.sort((a, b) => a[0].decidedAt.getTime() - b[0].decidedAt.getTime());
  const kept = Array.from({ length: wanted }, (_, j) => logged[Math.floor((j * logged.length) / wanted)]);
  const examples = kept.flat().sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime());
  return { examples, end };
}
