/**
 * A yardstick, not a policy: it knows the shopper's hidden segment and the world's formulas (not their luck),
 * and at each step takes the candidate (the same ones `decideStep` offers) that starts the best plan over the
 * campaign's remaining steps. A plan is valued in closed form, in event time: with every pending event — the
 * organic return, the pull of each message delivered or planned — independent, the chance of no order by t is
 *
 *   S(t) = Π_e (1 − p_e · F_e(t − start_e)),
 *
 * and, given that no order came before now, the plan earns
 *
 *   margin rate · cart · (S(now) − S(window end)) / S(now)
 *   − Σ over intervals (a, b] of the best valid code's value · (S(a) − S(b)) / S(now)
 *   − Σ planned messages (cost + unsubscribe chance · lost subscriber) · S(sent at) / S(now).
 *
 * Later steps are timed roughly (their delay, the minimum gap, then out of quiet hours at the zone's offset
 * now); the gap between it and the learned policy is what better learning could still win.
 */
import { type DiscountRule, discountValue } from '../../campaigns/discount-rules';
import { localDateTime, parseClock } from '../../campaigns/local-time';
import { recipientTimeZone } from '../../campaigns/send-time';
import type { ChannelKind } from '../../campaigns/types';
import type { Action } from '../features';
import { type StepDecision, type StepDecisionInput, stepOptions } from '../step-decision';
import { lognormalCdf } from './draws';
import type { Chooser, DecisionRequest } from './event-loop';
import { organicChance, responseChance } from './truth';
import type { Delay, World } from './world';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

interface Pull {
  p: number;
  start: number;
  delay: Delay;
}

interface Code {
  from: number;
  until: number;
  value: number;
}

interface Planned {
  at: number;
  channel: ChannelKind;
  discountPct: number;
  pull: number;
  unsubscribe: number;
  code: Code | null;
}

interface Situation {
  world: World;
  rules: readonly DiscountRule[];
  request: DecisionRequest;
  now: number;
  windowEnd: number;
  marginValue: number;
  /** The organic return and the messages already delivered. */
  pulls: Pull[];
  codes: Code[];
  delivered: number;
  /** Wall clock minus UTC, now: the planner's zone (quiet hours) and the shopper's own (their hour). */
  plannerOffset: number;
  shopperOffset: number;
}

function offsetAt(now: number, zone: string | null | undefined): number {
  const l = localDateTime(new Date(now), zone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - Math.floor(now / 1000) * 1000;
}

/** Out of the quiet hours, at a fixed offset (good enough for a plan a few days ahead). */
function outOfQuiet(t: number, offset: number, quiet: { start: string; end: string }): number {
  const start = parseClock(quiet.start);
  const end = parseClock(quiet.end);
  const minute = ((((t + offset) / MINUTE_MS) % 1440) + 1440) % 1440;
  const quietNow = start > end ? minute >= start || minute < end : minute >= start && minute < end;
  return quietNow ? t + ((((end - minute) % 1440) + 1440) % 1440) * MINUTE_MS : t;
}

function survival(pulls: readonly Pull[], t: number): number {
  let s = 1;
  for (const e of pulls) if (t > e.start) s *= 1 - e.p * lognormalCdf(e.delay, (t - e.start) / HOUR_MS);
  return s;
}

function planValue(sit: Situation, planned: readonly Planned[]): number {
  const { world, now, windowEnd } = sit;
  const pulls = [...sit.pulls, ...planned.map((m) => ({ p: m.pull * (1 - m.unsubscribe), start: m.at, delay: world.response_delay[m.channel] }))];
  const s0 = survival(pulls, now);
  if (!(s0 > 0)) return 0;
  const sEnd = survival(pulls, windowEnd);
  let value = (sit.marginValue * (s0 - sEnd)) / s0;
  const codes = [...sit.codes, ...planned.flatMap((m) => (m.code ? [m.code] : []))];
  if (codes.length > 0) {
    const cuts = [...new Set([now, windowEnd, ...codes.flatMap((c) => [c.from, c.until])])].filter((t) => t >= now && t <= windowEnd).sort((a, b) => a - b);
    let sA = s0;
    for (let i = 1; i < cuts.length; i++) {
      const sB = survival(pulls, cuts[i]);
      const mid = (cuts[i - 1] + cuts[i]) / 2;
      const best = codes.reduce((top, c) => (c.from <= mid && mid <= c.until ? Math.max(top, c.value) : top), 0);
      value -= (best * (sA - sB)) / s0;
      sA = sB;
    }
  }
  for (const m of planned) value -= ((world.message_cost[m.channel] + m.unsubscribe * world.lost_subscriber_cost[m.channel]) * survival(pulls, m.at)) / s0;
  return value;
}

function plannedMessage(sit: Situation, action: Action & { channel: ChannelKind }, at: number, position: number, ruleId: string | null): Planned {
  const { world, request } = sit;
  const { shopper } = request.truth;
  const segment = world.segments[shopper.segmentIndex];
  const rule = action.discountPct > 0 && ruleId ? sit.rules.find((r) => r.id === ruleId) : undefined;
  const isPercent = rule?.offer.type === 'percent';
  const code = rule ? { from: at, until: at + rule.offer.expiryHours * HOUR_MS, value: discountValue(rule.offer, isPercent ? action.discountPct : null, shopper.cartValue, 0) } : null;
  const localHour = Math.floor(((((at + sit.shopperOffset) / HOUR_MS) % 24) + 24) % 24);
  const pull = responseChance(world, segment, shopper.stage, {
    channel: action.channel,
    localHour,
    discountPct: code ? action.discountPct : 0,
    before: sit.delivered + position,
    hoursSinceAbandon: (at - shopper.abandonedAt.getTime()) / HOUR_MS,
  });
  return { at, channel: action.channel, discountPct: code ? action.discountPct : 0, pull, unsubscribe: segment.unsubscribe[action.channel], code };
}

/** The best plan's value starting at step `stepIndex` (candidates given), after `planned`. */
function best(sit: Situation, input: StepDecisionInput, stepIndex: number, at: number, candidates: readonly Action[], ruleId: string | null, planned: Planned[]): { action: Action; value: number } {
  let top = { action: candidates[0], value: -Infinity };
  for (const action of candidates) {
    let value: number;
    if (action.channel === 'none') value = planValue(sit, planned);
    else {
      const here = [...planned, plannedMessage(sit, action as Action & { channel: ChannelKind }, at, planned.length, ruleId)];
      const next = nextStep(sit, input, stepIndex + 1, at, here);
      value = next ? best(sit, input, next.stepIndex, next.at, next.candidates, next.ruleId, here).value : planValue(sit, here);
    }
    if (value > top.value) top = { action, value };
  }
  return top;
}

/** The next step that can reach the shopper, its rough send time and its candidates (as campaignLookahead builds them). */
function nextStep(sit: Situation, input: StepDecisionInput, from: number, previousAt: number, planned: readonly Planned[]) {
  const { campaign } = sit.world;
  const abandonedAt = sit.request.truth.shopper.abandonedAt.getTime();
  for (let stepIndex = from; stepIndex < input.campaignSteps.length; stepIndex++) {
    const step = input.campaignSteps[stepIndex];
    const offers = planned.flatMap((m) => (m.code ? [{ type: 'percent' as const, percent: m.discountPct }] : []));
    const discount = { ...input.discount, stepIndex, previousOffers: [...input.discount.previousOffers, ...offers] };
    const options = stepOptions({ step, recipient: input.recipient, afterUnansweredEmail: false, discount, discountRules: input.discountRules, levels: input.levels });
    if (options.candidates.length <= 1) continue;
    const due = Math.max(abandonedAt + step.delayMinutes * MINUTE_MS, previousAt + campaign.frequencyCap.minGapHours * HOUR_MS);
    const at = outOfQuiet(due, sit.plannerOffset, campaign.quietHours);
    if (at >= abandonedAt + campaign.expiryHours * HOUR_MS) return null;
    return { stepIndex, at, candidates: options.candidates, ruleId: options.discountRuleId };
  }
  return null;
}

function situation(world: World, rules: readonly DiscountRule[], request: DecisionRequest): Situation {
  const { shopper, state, now } = request.truth;
  const segment = world.segments[shopper.segmentIndex];
  const abandonedAt = shopper.abandonedAt.getTime();
  const pulls: Pull[] = [{ p: organicChance(segment, shopper.stage), start: abandonedAt, delay: world.organic_delay }];
  for (const m of state.sent) pulls.push({ p: m.pull * (1 - m.unsubscribeChance), start: m.at, delay: world.response_delay[m.channel] });
  return {
    world,
    rules,
    request,
    now,
    windowEnd: abandonedAt + world.campaign.attributionWindowHours * HOUR_MS,
    marginValue: shopper.cartValue * segment.margin_rate,
    pulls,
    codes: state.sent.flatMap((m) => (m.offer ? [{ from: m.at, until: m.offer.until, value: m.offer.value }] : [])),
    delivered: state.sent.length,
    plannerOffset: offsetAt(now, recipientTimeZone(request.input.recipient)),
    shopperOffset: offsetAt(now, shopper.zone),
  };
}

export function oracleDecision(world: World, rules: readonly DiscountRule[], request: DecisionRequest): StepDecision {
  const { input } = request;
  const options = stepOptions(input);
  const sit = situation(world, rules, request);
  const top = best(sit, input, input.ctx.stepIndex, request.truth.plannedAt, options.candidates, options.discountRuleId, []);
  return {
    ...options,
    action: top.action,
    propensity: 1,
    source: 'model',
    modelVersion: 'oracle',
    expectedMargin: top.value,
    scores: [],
    reason: 'the oracle: it knows the segment and the truth',
  };
}

export function oracleChooser(world: World, rules: readonly DiscountRule[]): Chooser {
  return (requests) => requests.map((r) => oracleDecision(world, rules, r));
}
