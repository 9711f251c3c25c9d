/**
 * Shoppers going through a campaign in event time, the way the engine takes them through it:
 *
 *  - at abandonment, and right after each send (`decideAfterSend`), the planner (`planNextMessage`) says which
 *    step is next and when (delays from abandonment, quiet hours in the shopper's zone, SMS windows, caps,
 *    expiry, waterfalls, unreachable steps skipped); the step decision (`decideStep`, through a `Chooser`) says
 *    which channel and offer, or to send nothing more; its choice goes back to the planner (`choice`, with a
 *    send-time arm where the step has them), exactly as `server/recovery/planning/next-message.ts` and
 *    `server/ml/recovery-policy.ts` do;
 *  - at the planned time the message is re-checked (the planner with the kept choice, as `send-message.ts`
 *    does) — unless nothing the planner reads has changed since it was planned, when the answer is provably
 *    the same — and sent, or moved, or replaced;
 *  - an order ends the sequence as the engine's suppression does: what is planned after it is never sent and
 *    costs nothing;
 *  - every delivered message draws, with the shopper's keyed luck for its ordinal, whether it brings the order
 *    (after a delay), is opened or clicked (what `last_engaged` and the unanswered-email rule read later), or
 *    makes the shopper unsubscribe from its channel (a later step cannot use it).
 *
 * Decisions are asked for in rounds across all shoppers (each shopper is a generator that yields its next
 * decision request), so a model scores thousands of them in one batch. The planner's answers are remembered per
 * shopper (it is pure, and the policies compared on the same shoppers ask it the same questions).
 */
import { isReachable, isUnansweredEmail } from '../../campaigns/channel-fallback';
import { discountValue, type DiscountRule } from '../../campaigns/discount-rules';
import { drawVariant, stepWithVariant } from '../../campaigns/experiments/variants';
import { localDateTime } from '../../campaigns/local-time';
import { planNextMessage } from '../../campaigns/planner';
import { type ChannelKind, type NoMessageReason, type PlannerDecision, type PlannerInput } from '../../campaigns/types';
import type { DecisionContext } from '../features';
import type { Economics } from '../plan-search';
import { createRandom } from '../random';
import { chooseDelay, segmentKey, type SendTimeState } from '../send-time-bandit';
import type { ExplorationRates, StepDecision, StepDecisionInput } from '../step-decision';
import { DrawKind, keyedUniform, lognormalHours } from './draws';
import { decisionContextOf, decisionSeed, discountContextOf } from '../decision-context';
import { engineView, type EngineView, type SentRecord, type ShopperState } from './engine-view';
import type { SimShopper } from './shoppers';
import { CLICK_SHARE_OF_OPENS, OPEN_DELAY, openChance, responseChance } from './truth';
import type { World } from './world';

const HOUR_MS = 3_600_000;
const NO_EXPLORATION: ExplorationRates = { rate: 0, stopRate: 0 };
/** More planner rounds than any campaign of ≤ 10 steps with waterfalls needs; a guard against a loop. */
const MAX_PLANS = 200;

export interface SimulationEnv {
  world: World;
  discountRules: readonly DiscountRule[];
  /** What the merchant knows (the model's economics). */
  economics: Economics;
  /** The send-time bandit's counts, for steps with `sendTimeArms`. @defaultValue no data */
  sendTimeState?: SendTimeState;
}

/** A step to decide: what the engine would pass `decideStep`, and (for the oracle only) the truth behind it. */
export interface DecisionRequest {
  /** With no model and no exploration: each chooser sets its own. `random` is the engine's seed for the step. */
  input: StepDecisionInput;
  truth: { shopper: SimShopper; state: ShopperState; now: number; /** When the planner would send the step on its own channel. */ plannedAt: number };
}

/** Decides many steps at once, in order. */
export type Chooser = (requests: readonly DecisionRequest[]) => StepDecision[];

export interface LoggedDecision {
  ctx: DecisionContext;
  decision: StepDecision;
  /** When it was taken; for a message that went out, its send time (what the engine logs it at). */
  at: number;
}

interface Decided extends LoggedDecision {
  delayMinutes: number | null;
}

type Plan =
  | { kind: 'send'; stepIndex: number; channel: ChannelKind; sendAt: number; decided: Decided | null; signature: string }
  | { kind: 'none'; reason: NoMessageReason; recheckAt?: number; stop?: Decided };

export interface ShopperOutcome {
  shopper: SimShopper;
  /** Held out: planned, never sent. */
  control: boolean;
  /** The shopper's order, whenever it came (null: none). */
  orderedAt: number | null;
  /** Ordered within the campaign's attribution window from abandonment (what the Lift report counts). */
  recovered: boolean;
  revenue: number;
  discountCost: number;
  messageCost: number;
  lostSubscriberCost: number;
  /** revenue × margin rate − discount − message costs − lost subscribers. */
  margin: number;
  sent: SentRecord[];
  unsubscribes: number;
  /** What the engine logs for training: the decisions of messages that went out, and a policy stop. */
  logged: LoggedDecision[];
  /** The first decision taken (what a held-out shopper is logged with). */
  first: LoggedDecision | null;
  /** Why the sequence ended. */
  end: NoMessageReason | 'ordered' | 'held_out';
}

interface LoopState extends ShopperState {
  orderAt: number | null;
  first: LoggedDecision | null;
}

/**
 * `planNextMessage`, remembered per shopper: it is pure, and the policies compared on the same shoppers ask it the
 * same questions again and again (every policy plans the first step at abandonment alike; two that sent the same
 * messages plan the next one alike). The key holds everything of the input that changes within one shopper's
 * enrollment — the campaign, checkout, contacts and earlier messages are the shopper's own and fixed.
 */
const plannerMemo = new WeakMap<object, WeakMap<SimShopper, Map<string, PlannerDecision>>>();

function plannerKey(input: PlannerInput): string {
  const { recipient: r, choice } = input;
  const consent = `${r.consent.email ?? '-'}${r.consent.sms ?? '-'}${r.consent.push ?? '-'}`;
  const sent = input.enrollment.map((m) => `${m.stepIndex}${m.channel}${m.at.getTime()}${m.delivered ? 'd' : ''}${m.opened ? 'o' : ''}${m.clicked ? 'c' : ''}`).join(',');
  const engaged = input.history.map((m) => (m.opened || m.clicked ? 'e' : '-')).join('');
  return `${input.now.getTime()}|${consent}|${r.lastEngagedChannel ?? ''}|${sent}|${engaged}|${choice ? `${choice.stepIndex}:${choice.channel ?? ''}:${choice.delayMinutes ?? ''}` : ''}`;
}

function plan(env: SimulationEnv, shopper: SimShopper, input: PlannerInput): PlannerDecision {
  let byShopper = plannerMemo.get(env.world.campaign);
  if (!byShopper) plannerMemo.set(env.world.campaign, (byShopper = new WeakMap()));
  let memo = byShopper.get(shopper);
  if (!memo) byShopper.set(shopper, (memo = new Map()));
  const key = plannerKey(input);
  let decision = memo.get(key);
  if (!decision) memo.set(key, (decision = planNextMessage(input)));
  return decision;
}

/** The step's A/B/n variant for this shopper: a keyed draw, the same every time the step is planned. */
function variantOf(env: SimulationEnv, shopper: SimShopper, stepIndex: number): string | undefined {
  const step = env.world.campaign.steps[stepIndex];
  return drawVariant(step?.variants, keyedUniform(shopper.key, DrawKind.variant, stepIndex))?.name;
}

/**
 * What the planner reads that can change without a new message: consents, the last engaged channel, and the
 * last message's opens and clicks. Same signature at the send time as at planning: the re-check would agree.
 */
function signatureAt(state: LoopState, now: number): string {
  let engaged: { at: number; channel: ChannelKind } | null = null;
  for (const m of state.shopper.earlier) if ((m.opened || m.clicked) && (!engaged || m.at.getTime() > engaged.at)) engaged = { at: m.at.getTime(), channel: m.channel };
  let unsubscribed = '';
  for (const m of state.sent) {
    const openedNow = (m.openAt !== null && m.openAt <= now) || (m.clickAt !== null && m.clickAt <= now);
    if (openedNow && (!engaged || m.at > engaged.at)) engaged = { at: m.at, channel: m.channel };
    if (m.unsubscribedAt !== null && m.unsubscribedAt <= now) unsubscribed += m.channel[0];
  }
  const last = state.sent.at(-1);
  const lastSeen = last ? `${last.openAt !== null && last.openAt <= now ? 'o' : ''}${last.clickAt !== null && last.clickAt <= now ? 'c' : ''}` : '';
  return `${unsubscribed}|${engaged?.channel ?? ''}|${lastSeen}`;
}

function sendPlan(state: LoopState, d: Extract<PlannerDecision, { kind: 'send' }>, decided: Decided | null, now: number): Plan {
  return { kind: 'send', stepIndex: d.stepIndex, channel: d.channel, sendAt: d.sendAt.getTime(), decided, signature: signatureAt(state, now) };
}

/** recovery-policy.ts `waterfall`: the step's next channel with its offer, a decision the campaign took for sure. */
function waterfallDecision(view: EngineView, stepIndex: number, channel: ChannelKind, now: number): Decided {
  const discountPct = [...view.facts.stepOffers].reverse().find((o) => o.stepIndex === stepIndex)?.discountPct ?? 0;
  const action = { channel, discountPct };
  const decision: StepDecision = {
    candidates: [action],
    rulesAction: action,
    discountRuleId: null,
    allowedPercents: [discountPct],
    action,
    propensity: 1,
    source: 'rules',
    modelVersion: null,
    expectedMargin: null,
    scores: [],
    reason: "the step's next channel (its waterfall)",
  };
  return { ctx: decisionContextOf(view, stepIndex, new Date(now)), decision, at: now, delayMinutes: null };
}

/**
 * next-message.ts `decideFrom` with recovery-policy.ts `choose`: the planner, the policy's say in the step it
 * picked (kept when this planned step already has one), and the planner again with that choice.
 */
function* decide(env: SimulationEnv, state: LoopState, now: number, kept: Extract<Plan, { kind: 'send' }> | null): Generator<DecisionRequest, Plan, StepDecision> {
  const { campaign } = env.world;
  const view = engineView(campaign, state, now);
  const plain = plan(env, state.shopper, view.input);
  if (plain.kind !== 'send') return { kind: 'none', reason: plain.reason, ...(plain.recheckAt ? { recheckAt: plain.recheckAt.getTime() } : {}) };
  const stepIndex = plain.stepIndex;
  const recipient = view.input.recipient;

  if (view.input.enrollment.some((m) => m.stepIndex === stepIndex)) {
    const again = kept && kept.stepIndex === stepIndex && kept.channel === plain.channel ? kept.decided : null;
    return sendPlan(state, plain, again ?? waterfallDecision(view, stepIndex, plain.channel, now), now);
  }

  let decided: Decided;
  if (kept && kept.stepIndex === stepIndex && kept.decided && isReachable(recipient, kept.channel)) {
    decided = kept.decided;
  } else {
    const step = stepWithVariant(campaign.steps[stepIndex], variantOf(env, state.shopper, stepIndex));
    const ctx = decisionContextOf(view, stepIndex, new Date(now));
    const input: StepDecisionInput = {
      step,
      recipient,
      afterUnansweredEmail: isUnansweredEmail(view.input.enrollment.at(-1), new Date(now)),
      discount: discountContextOf(view, stepIndex),
      discountRules: env.discountRules,
      levels: env.world.discount_levels,
      ctx,
      campaignSteps: campaign.steps,
      model: null,
      economics: env.economics,
      exploration: NO_EXPLORATION,
      random: createRandom(decisionSeed(state.shopper.id, stepIndex)),
    };
    const decision: StepDecision = yield { input, truth: { shopper: state.shopper, state, now, plannedAt: plain.sendAt.getTime() } };
    // Nothing but stopping was possible: the engine's policy returns null and the planner's answer stands.
    if (decision.candidates.length === 1) return sendPlan(state, plain, null, now);
    decided = { ctx, decision, at: now, delayMinutes: null };
    state.first ??= decided;
    if (decision.action.channel === 'none') return { kind: 'none', reason: 'policy_stop', stop: decided };
    const arms = step.sendTimeArms;
    if (arms && arms.length > 0 && view.facts.sequence.length === 0) {
      // The same seeded stream the decision drew from, as recovery-policy.ts passes it on to the bandit.
      decided.delayMinutes = chooseDelay(env.sendTimeState ?? {}, segmentKey(ctx), arms, { min: Math.min(...arms), max: Math.max(...arms) }, input.random).delayMinutes;
    }
  }
  const channel = decided.decision.action.channel as ChannelKind;
  const unchanged = channel === plain.channel && decided.delayMinutes == null;
  const withChoice = unchanged ? plain : plan(env, state.shopper, { ...view.input, choice: { stepIndex, channel, delayMinutes: decided.delayMinutes } });
  // The choice only shapes the step the planner picked; anything else keeps the planner's answer (no policy).
  if (withChoice.kind !== 'send' || withChoice.stepIndex !== stepIndex || withChoice.channel !== channel) return sendPlan(state, plain, null, now);
  return sendPlan(state, withChoice, decided, now);
}

/** Delivers a planned message at `t` and draws what the shopper does with it. */
function deliver(env: SimulationEnv, state: LoopState, plan: Extract<Plan, { kind: 'send' }>, t: number): void {
  const { world } = env;
  const { shopper } = state;
  const segment = world.segments[shopper.segmentIndex];
  const ordinal = state.sent.length;
  const decision = plan.decided?.decision ?? null;
  const pct = decision?.action.discountPct ?? 0;
  // message-offer.ts: a code is issued only for a decided percent with the rule that allowed it.
  const rule = pct > 0 && decision?.discountRuleId ? env.discountRules.find((r) => r.id === decision.discountRuleId) : undefined;
  const isPercent = rule?.offer.type === 'percent';
  const offer = rule
    ? { type: rule.offer.type, percent: isPercent ? pct : 0, value: discountValue(rule.offer, isPercent ? pct : null, shopper.cartValue, 0), until: t + rule.offer.expiryHours * HOUR_MS }
    : null;
  const pull = responseChance(world, segment, shopper.stage, {
    channel: plan.channel,
    localHour: localDateTime(new Date(t), shopper.zone).hour,
    discountPct: offer ? pct : 0,
    before: ordinal,
    hoursSinceAbandon: (t - shopper.abandonedAt.getTime()) / HOUR_MS,
  });
  const unsubscribeChance = segment.unsubscribe[plan.channel];
  const k = shopper.key;
  const unsubscribes = keyedUniform(k, DrawKind.unsubscribe, ordinal) < unsubscribeChance;
  const responds = !unsubscribes && keyedUniform(k, DrawKind.response, ordinal) < pull;
  const seenAt = t + lognormalHours(OPEN_DELAY, keyedUniform(k, DrawKind.openDelay, ordinal)) * HOUR_MS;
  let openAt: number | null = null;
  let clickAt: number | null = null;
  if (responds) {
    const orderAt = t + lognormalHours(world.response_delay[plan.channel], keyedUniform(k, DrawKind.responseDelay, ordinal)) * HOUR_MS;
    openAt = clickAt = Math.min(seenAt, orderAt);
    state.orderAt = state.orderAt === null ? orderAt : Math.min(state.orderAt, orderAt);
  } else if (!unsubscribes && keyedUniform(k, DrawKind.open, ordinal) < openChance(segment, plan.channel)) {
    openAt = seenAt;
    if (keyedUniform(k, DrawKind.click, ordinal) < CLICK_SHARE_OF_OPENS) clickAt = seenAt;
  }
  state.sent.push({ stepIndex: plan.stepIndex, channel: plan.channel, at: t, discountPct: pct, offer, openAt, clickAt, unsubscribedAt: unsubscribes ? seenAt : null, pull, unsubscribeChance });
}

function outcome(env: SimulationEnv, state: LoopState, control: boolean, logged: LoggedDecision[], end: ShopperOutcome['end']): ShopperOutcome {
  const { world } = env;
  const { shopper, orderAt } = state;
  const segment = world.segments[shopper.segmentIndex];
  const windowEnd = shopper.abandonedAt.getTime() + world.campaign.attributionWindowHours * HOUR_MS;
  const recovered = orderAt !== null && orderAt <= windowEnd;
  // The shopper uses the best code valid when they order (received before, not expired).
  const discountCost = recovered ? state.sent.reduce((best, m) => (m.offer && m.at <= orderAt && orderAt <= m.offer.until ? Math.max(best, m.offer.value) : best), 0) : 0;
  const messageCost = state.sent.reduce((s, m) => s + world.message_cost[m.channel], 0);
  const unsubscribed = state.sent.filter((m) => m.unsubscribedAt !== null);
  const lostSubscriberCost = unsubscribed.reduce((s, m) => s + world.lost_subscriber_cost[m.channel], 0);
  const revenue = recovered ? shopper.cartValue : 0;
  return {
    shopper,
    control,
    orderedAt: orderAt,
    recovered,
    revenue,
    discountCost,
    messageCost,
    lostSubscriberCost,
    margin: revenue * segment.margin_rate - discountCost - messageCost - lostSubscriberCost,
    sent: state.sent,
    unsubscribes: unsubscribed.length,
    logged,
    first: state.first,
    end,
  };
}

const logOf = (d: Decided): LoggedDecision => ({ ctx: d.ctx, decision: d.decision, at: d.at });

/** One shopper's enrollment, from abandonment to its end. */
function* enrollment(env: SimulationEnv, shopper: SimShopper, control: boolean, options: SimulationOptions): Generator<DecisionRequest, ShopperOutcome, StepDecision> {
  const state: LoopState = { shopper, sent: [], orderAt: shopper.organicAt, first: null };
  const logged: LoggedDecision[] = [];
  let plan = yield* decide(env, state, shopper.abandonedAt.getTime(), null);
  // A held-out shopper is planned like the others and sent nothing: the first plan is all that matters.
  if (control) return outcome(env, state, true, logged, 'held_out');
  for (let round = 0; round < MAX_PLANS; round++) {
    if (plan.kind === 'none') {
      if (plan.reason === 'waiting_for_outcome' && plan.recheckAt !== undefined) {
        if (state.orderAt !== null && state.orderAt <= plan.recheckAt) return outcome(env, state, false, logged, 'ordered');
        plan = yield* decide(env, state, plan.recheckAt, null);
        continue;
      }
      if (plan.stop) logged.push(logOf(plan.stop));
      return outcome(env, state, false, logged, plan.reason);
    }
    // Suppression: an order before the send cancels it (and everything after it).
    if (state.orderAt !== null && state.orderAt <= plan.sendAt) {
      if (options.logCancelled && plan.decided) logged.push(logOf(plan.decided));
      return outcome(env, state, false, logged, 'ordered');
    }
    const t = plan.sendAt;
    if (signatureAt(state, t) !== plan.signature) {
      const again = yield* decide(env, state, t, plan);
      const same = again.kind === 'send' && again.stepIndex === plan.stepIndex && again.channel === plan.channel;
      if (!same || again.sendAt > t) {
        plan = again; // moved, replaced or ended: planned again from here
        continue;
      }
      plan = again;
    }
    deliver(env, state, plan, t);
    if (plan.decided) logged.push({ ...logOf(plan.decided), at: t });
    plan = yield* decide(env, state, t, null);
  }
  throw new Error(`shopper ${shopper.id}: more than ${MAX_PLANS} plans`);
}

export interface SimulationOptions {
  /** Which shoppers are held out (planned, never sent). @defaultValue none */
  control?: (shopper: SimShopper) => boolean;
  /**
   * Also log the decision of a message an order cancelled (at its decision time), as an intent-to-treat log would;
   * the engine's training examples (server/ml/training-examples.ts) hold only messages that went out. @defaultValue false
   */
  logCancelled?: boolean;
}

/** Every shopper through the campaign, decisions asked of `choose` in rounds across shoppers. */
export function simulate(env: SimulationEnv, shoppers: readonly SimShopper[], choose: Chooser, options: SimulationOptions = {}): ShopperOutcome[] {
  const runs = shoppers.map((s) => enrollment(env, s, options.control?.(s) ?? false, options));
  const results: ShopperOutcome[] = new Array(shoppers.length);
  let pending: { index: number; request: DecisionRequest }[] = [];
  const advance = (index: number, decision: StepDecision | undefined) => {
    const next = decision === undefined ? runs[index].next() : runs[index].next(decision);
    if (next.done) results[index] = next.value;
    else pending.push({ index, request: next.value });
  };
  runs.forEach((_, i) => advance(i, undefined));
  while (pending.length > 0) {
    const round = pending;
    pending = [];
    const decisions = choose(round.map((p) => p.request));
    if (decisions.length !== round.length) throw new Error(`the chooser answered ${decisions.length} of ${round.length} decisions`);
    round.forEach((p, i) => advance(p.index, decisions[i]));
  }
  return results;
}
