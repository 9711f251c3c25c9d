/**
 * The features of one decision and what the discount rules look at, from what the planner sees: the engine builds
 * them from what it loaded (server/recovery/planning/planner-input.ts), the simulator from its shopper, with these
 * same two functions. Observable at `now`, nothing from the future.
 */
import { createHash } from 'node:crypto';
import { isReachable } from '../campaigns/channel-fallback';
import type { DiscountContext, OfferType } from '../campaigns/discount-rules';
import { localDateTime } from '../campaigns/local-time';
import { CHANNELS, type ChannelKind, type PlannerInput } from '../campaigns/types';
import { DEVICES, type DecisionContext, type Device, type SequenceMessage } from './features';

const HOUR_MS = 3_600_000;

/** What the decision reads beside the planner's input (`DecisionFacts` of planner-input.ts). */
export interface DecisionViewFacts {
  device: string | null;
  cartItems: number;
  ordersCount: number;
  lifetimeValue: number;
  /** Discounts this customer (or this checkout) was already offered. */
  previousOffers: { type: OfferType; percent: number }[];
  /** This enrollment's messages so far, with the discount each offered. */
  sequence: SequenceMessage[];
}

export interface DecisionView {
  input: PlannerInput;
  facts: DecisionViewFacts;
}

export function decisionContextOf(view: DecisionView, stepIndex: number, now: Date): DecisionContext {
  const { input, facts } = view;
  const local = localDateTime(now, input.recipient.timezone);
  const engagement = Object.fromEntries(CHANNELS.map((c) => [c, { sent: 0, opened: 0, clicked: 0 }])) as DecisionContext['engagement'];
  for (const message of input.history) {
    if (message.at > now) continue;
    const counts = engagement[message.channel];
    counts.sent += 1;
    if (message.opened || message.clicked) counts.opened += 1;
    if (message.clicked) counts.clicked += 1;
  }
  return {
    cartValue: input.checkout.cartValue,
    cartItems: facts.cartItems,
    stage: input.checkout.stage === 'completed' ? 'payment' : input.checkout.stage,
    device: DEVICES.includes(facts.device as Device) ? (facts.device as Device) : 'unknown',
    localHour: local.hour,
    weekday: new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay(),
    isReturning: !input.checkout.isNewCustomer,
    ordersCount: facts.ordersCount,
    lifetimeValue: facts.lifetimeValue,
    reachable: Object.fromEntries(CHANNELS.map((c) => [c, isReachable(input.recipient, c)])) as Record<ChannelKind, boolean>,
    engagement,
    lastEngagedChannel: input.recipient.lastEngagedChannel ?? null,
    // The campaign step being planned: the discount rules and the model's look-ahead count in steps.
    stepIndex,
    // In campaign time, as the campaign's delays are (CAMPAIGN_TIME_SCALE).
    hoursSinceAbandon: Math.max(0, (now.getTime() - input.checkout.abandonedAt.getTime()) / HOUR_MS / input.timeScale),
    messagesSent: facts.sequence,
  };
}

/** What the discount rules look at, for the campaign step being planned. */
export function discountContextOf(view: DecisionView, stepIndex: number): DiscountContext {
  const { input, facts } = view;
  return {
    cartValue: input.checkout.cartValue,
    ordersCount: facts.ordersCount,
    lifetimeValue: facts.lifetimeValue,
    isNewCustomer: input.checkout.isNewCustomer,
    stage: input.checkout.stage,
    stepIndex,
    previousOffers: facts.previousOffers,
  };
}

/** The seed of a step's decision: the same checkout and step always draw the same, so planning again never flips a coin twice. */
export function decisionSeed(checkoutId: string, stepIndex: number): number {
  return createHash('sha256').update(`${checkoutId}.${stepIndex}`).digest().readUInt32LE(0);
}
