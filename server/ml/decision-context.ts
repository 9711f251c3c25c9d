import type { DiscountContext } from '../../campaigns/discount-rules';
import { isReachable } from '../../campaigns/channel-fallback';
import { localDateTime } from '../../campaigns/local-time';
import { CHANNELS, type ChannelKind } from '../../campaigns/types';
import { DEVICES, type DecisionContext, type Device } from '../../ml/features';
import type { LoadedPlannerInput } from '../recovery/planning/planner-input';

/**
 * The features of one decision, from what planning already loaded: the cart, the customer, their past
 * recovery messages (all campaigns) and this sequence so far. Observable now, nothing from the future.
 */
export function decisionContextOf(loaded: LoadedPlannerInput, stepIndex: number, now: Date): DecisionContext {
  const { input, facts } = loaded;
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
    weekday: weekdayOf(local),
    isReturning: !input.checkout.isNewCustomer,
    ordersCount: facts.ordersCount,
    lifetimeValue: facts.lifetimeValue,
    reachable: Object.fromEntries(CHANNELS.map((c) => [c, isReachable(input.recipient, c)])) as Record<ChannelKind, boolean>,
    engagement,
    // The campaign step being planned: the discount rules and the model's look-ahead count in steps.
    stepIndex,
    messagesSent: facts.sequence,
  };
}

/** What the discount rules look at, for the campaign step being planned. */
export function discountContextOf(loaded: LoadedPlannerInput, stepIndex: number): DiscountContext {
  const { input, facts } = loaded;
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

function weekdayOf(local: { year: number; month: number; day: number }): number {
  return new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay();
}
