/**
 * One simulated checkout going through a policy: at each step the policy sees only the observable context
 * and the allowed actions; 'none' ends the sequence. The world then decides the outcome with the checkout's
 * own uniform draw, so every policy compared on the same checkouts faces the same luck.
 */
import type { DiscountRule } from '../../campaigns/discount-rules';
import { candidateActions } from '../candidates';
import type { Action, DecisionContext, SequenceMessage } from '../features';
import type { SimulatedCheckout } from './checkouts';
import { recoveryProbability, sequenceEconomics, type SequenceEconomics } from './outcome';
import type { World } from './world';

export interface StepChoice {
  action: Action;
  propensity: number;
}

export type StepChooser = (ctx: DecisionContext, candidates: Action[]) => StepChoice;

export interface LoggedStep extends StepChoice {
  ctx: DecisionContext;
  candidates: Action[];
}

export interface SequenceResult extends SequenceEconomics {
  steps: LoggedStep[];
  /** Messages actually sent. */
  messages: SequenceMessage[];
  probability: number;
  recovered: boolean;
}

export interface SequenceOptions {
  discountRules: DiscountRule[];
}

export function advance(ctx: DecisionContext, message: SequenceMessage | null): DecisionContext {
  return { ...ctx, stepIndex: ctx.stepIndex + 1, messagesSent: message ? [...ctx.messagesSent, message] : ctx.messagesSent };
}

export function runSequence(world: World, checkout: SimulatedCheckout, outcomeDraw: number, choose: StepChooser, opts: SequenceOptions): SequenceResult {
  const steps: LoggedStep[] = [];
  let ctx = checkout.ctx;
  for (let step = 0; step < world.max_messages; step++) {
    const candidates = candidateActions(ctx, { discountRules: opts.discountRules, levels: world.discount_levels });
    const choice = choose(ctx, candidates);
    steps.push({ ...choice, ctx, candidates });
    if (choice.action.channel === 'none') break;
    const sent = ctx.reachable[choice.action.channel];
    ctx = advance(ctx, sent ? { channel: choice.action.channel, discountPct: choice.action.discountPct } : null);
  }
  const segment = world.segments[checkout.segmentIndex];
  const probability = recoveryProbability(segment, checkout.stage, ctx.messagesSent);
  const recovered = outcomeDraw < probability;
  const economics = sequenceEconomics(world, segment, checkout.ctx.cartValue, ctx.messagesSent, recovered);
  return { ...economics, steps, messages: ctx.messagesSent, probability, recovered };
}

/**
 * Decides one step for many checkouts at once (lets a model score them in one call). `truth` is the
 * checkouts themselves, hidden segment included: only the oracle yardstick may look.
 */
export type BatchChooser = (requests: { ctx: DecisionContext; candidates: Action[] }[], truth: SimulatedCheckout[]) => StepChoice[];

/** `runSequence` for many checkouts, step by step across all of them. */
export function runSequences(world: World, checkouts: readonly SimulatedCheckout[], outcomeDraws: readonly number[], choose: BatchChooser, opts: SequenceOptions): SequenceResult[] {
  const states = checkouts.map((checkout) => ({ checkout, ctx: checkout.ctx, steps: [] as LoggedStep[], done: false }));
  for (let step = 0; step < world.max_messages; step++) {
    const active = states.filter((s) => !s.done);
    if (active.length === 0) break;
    const requests = active.map((s) => ({ ctx: s.ctx, candidates: candidateActions(s.ctx, { discountRules: opts.discountRules, levels: world.discount_levels }) }));
    const choices = choose(requests, active.map((s) => s.checkout));
    active.forEach((state, i) => {
      const choice = choices[i];
      state.steps.push({ ...choice, ctx: state.ctx, candidates: requests[i].candidates });
      if (choice.action.channel === 'none') {
        state.done = true;
        return;
      }
      const sent = state.ctx.reachable[choice.action.channel];
      state.ctx = advance(state.ctx, sent ? { channel: choice.action.channel, discountPct: choice.action.discountPct } : null);
    });
  }
  return checkouts.map((checkout, i) => {
    const { ctx, steps } = states[i];
    const segment = world.segments[checkout.segmentIndex];
    const probability = recoveryProbability(segment, checkout.stage, ctx.messagesSent);
    const recovered = outcomeDraws[i] < probability;
    return { ...sequenceEconomics(world, segment, checkout.ctx.cartValue, ctx.messagesSent, recovered), steps, messages: ctx.messagesSent, probability, recovered };
  });
}
