/**
 * A campaign's timeline for one imagined shopper, as the console shows it before the campaign goes live:
 * "abandoned 14:00 → push 15:00 → email tomorrow 14:00 → 10% offer by SMS the day after at 14:00".
 *
 * It runs the planner itself (`planNextMessage`), the code the engine runs for every real enrollment: plan the
 * next message, pretend it went out at its time (with the outcome the caller assumes: delivered, opened,
 * clicked), plan the next, until the planner says there is nothing more. A waterfall waiting for an outcome is
 * followed to its deadline. The discount is what the rules allow on the step (`matchDiscountRule`), without
 * the model's choice within the allowed percents.
 */
import { allowedPercents, DEFAULT_PERCENT_LEVELS, discountValue, matchDiscountRule, rulesDefaultPercent, type DiscountRule, type PreviousOffer } from './discount-rules';
import { ineligibleReason, type IneligibleReason } from './eligibility';
import { planNextMessage } from './planner';
import type { Campaign, ChannelKind, ChannelSkip, CheckoutFacts, Deferral, EnrollmentMessage, NoMessageReason, Recipient, SentMessage } from './types';

/** More than any campaign of at most 10 steps × 4 channels can plan. */
const MAX_MESSAGES = 60;

export interface TimelineInput {
  campaign: Campaign;
  checkout: Pick<CheckoutFacts, 'cartValue' | 'stage' | 'isNewCustomer' | 'abandonedAt'>;
  recipient: Recipient;
  /** What happens to every message once sent. */
  assume: { delivered: boolean; opened: boolean; clicked: boolean };
  /** The stored discount rules (empty: no offers shown). */
  rules: DiscountRule[];
  ordersCount?: number;
  lifetimeValue?: number;
  timeScale?: number;
}

export interface TimelineOffer {
  ruleId: string;
  ruleName: string;
  type: DiscountRule['offer']['type'];
  /** The rules' default, as a percent of the cart. */
  percent: number;
  allowedPercents: number[];
  discountValue: number;
}

export interface TimelineMessage {
  stepIndex: number;
  channel: ChannelKind;
  /** When the step was due (abandonment + its delay, or when the previous message made room). */
  dueAt: Date;
  /** When it would go out, every rule applied. */
  at: Date;
  deferredBy: Deferral[];
  skipped: ChannelSkip[];
  skippedSteps: number[];
  offer: TimelineOffer | null;
}

export interface Timeline {
  eligible: boolean;
  ineligibleReason: IneligibleReason | null;
  expiresAt: Date;
  messages: TimelineMessage[];
  end: { reason: NoMessageReason | 'not_eligible'; at?: Date };
}

export function previewTimeline(input: TimelineInput): Timeline {
  const { campaign, recipient, assume } = input;
  const timeScale = input.timeScale ?? 1;
  const checkout: CheckoutFacts = { id: 'preview', status: 'abandoned', ...input.checkout };
  const expiresAt = new Date(checkout.abandonedAt.getTime() + Math.round(campaign.expiryHours * 3_600_000 * timeScale));
  const reason = ineligibleReason(campaign, checkout);
  if (reason) return { eligible: false, ineligibleReason: reason, expiresAt, messages: [], end: { reason: 'not_eligible' } };

  const enrollment: EnrollmentMessage[] = [];
  const history: SentMessage[] = [];
  const previousOffers: PreviousOffer[] = [];
  const messages: TimelineMessage[] = [];
  let now = checkout.abandonedAt;
  for (let round = 0; round < MAX_MESSAGES * 2; round++) {
    const decision = planNextMessage({ now, campaign, checkout, recipient, history, enrollment, timeScale });
    if (decision.kind === 'none') {
      if (decision.reason === 'waiting_for_outcome' && decision.recheckAt && decision.recheckAt > now) {
        now = decision.recheckAt;
        continue;
      }
      return { eligible: true, ineligibleReason: null, expiresAt, messages, end: { reason: decision.reason, at: now } };
    }
    const step = campaign.steps[decision.stepIndex];
    const dueAt = new Date(Math.max(now.getTime(), checkout.abandonedAt.getTime() + Math.round(step.delayMinutes * 60_000 * timeScale)));
    const offer = offerOf(input, decision.stepIndex, step.discountRuleId ?? null, previousOffers);
    if (offer && offer.percent > 0) previousOffers.push({ type: offer.type, percent: offer.percent });
    messages.push({
      stepIndex: decision.stepIndex,
      channel: decision.channel,
      dueAt,
      at: decision.sendAt,
      deferredBy: decision.deferredBy,
      skipped: decision.skipped,
      skippedSteps: decision.skippedSteps ?? [],
      offer,
    });
    if (messages.length >= MAX_MESSAGES) break;
    const sent = { stepIndex: decision.stepIndex, channel: decision.channel, at: decision.sendAt, ...assume };
    enrollment.push(sent);
    history.push({ ...sent, campaignId: campaign.id, checkoutId: checkout.id });
    now = decision.sendAt;
  }
  return { eligible: true, ineligibleReason: null, expiresAt, messages, end: { reason: 'sequence_done', at: now } };
}

function offerOf(input: TimelineInput, stepIndex: number, pinned: string | null, previousOffers: PreviousOffer[]): TimelineOffer | null {
  const ctx = {
    cartValue: input.checkout.cartValue,
    ordersCount: input.ordersCount ?? (input.checkout.isNewCustomer ? 0 : 1),
    lifetimeValue: input.lifetimeValue ?? 0,
    isNewCustomer: input.checkout.isNewCustomer,
    stage: input.checkout.stage,
    stepIndex,
    previousOffers,
  };
  const rule = matchDiscountRule(input.rules, ctx, pinned);
  if (!rule) return null;
  return {
    ruleId: rule.id,
    ruleName: rule.name,
    type: rule.offer.type,
    percent: rulesDefaultPercent(rule, ctx),
    allowedPercents: allowedPercents(rule, ctx, [...DEFAULT_PERCENT_LEVELS]),
    discountValue: discountValue(rule.offer, null, ctx.cartValue),
  };
}
