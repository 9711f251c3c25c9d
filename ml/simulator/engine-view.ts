/**
 * A simulated shopper as the engine sees them at one instant: the planner's input (`PlannerInput`, what
 * `server/recovery/planning/planner-input.ts` loads) and the decision facts beside it, from which
 * `ml/decision-context.ts` builds the decision and discount contexts, as it does for the engine. Only what the
 * engine could know at `now` is in it: opens, clicks and unsubscribes that have not happened yet are not.
 */
import type { OfferType } from '../../campaigns/discount-rules';
import type { Campaign, ChannelKind, ConsentState, EnrollmentMessage, PlannerInput, SentMessage } from '../../campaigns/types';
import type { DecisionViewFacts } from '../decision-context';
import type { SimShopper } from './shoppers';

export const SIM_CAMPAIGN_ID = 'simulated-campaign';

/** A message of the enrollment that went out, with what the shopper did with it (times in epoch ms). */
export interface SentRecord {
  stepIndex: number;
  channel: ChannelKind;
  at: number;
  /** The policy's percent, as the engine records it in the sequence (even when no code was issued). */
  discountPct: number;
  /** The code it carried, if any: the money it gives away and when it stops being valid. */
  offer: { type: OfferType; percent: number; value: number; until: number } | null;
  openAt: number | null;
  clickAt: number | null;
  unsubscribedAt: number | null;
  /** The truth at delivery (for the oracle): the chance it brings the order, unsubscribing aside. */
  pull: number;
  unsubscribeChance: number;
}

export interface ShopperState {
  shopper: SimShopper;
  /** In the order sent. */
  sent: SentRecord[];
}

/** `DecisionFacts` of planner-input.ts, as far as the decision reads them. */
export interface SimDecisionFacts extends DecisionViewFacts {
  stepOffers: { stepIndex: number; discountPct: number }[];
}

export interface EngineView {
  input: PlannerInput;
  facts: SimDecisionFacts;
}

const seen = (at: number | null, now: number) => at !== null && at <= now;

/** The planner's `lastEngaged`: the channel of the latest message (by send time) opened or clicked. */
function lastEngaged(history: readonly SentMessage[]): ChannelKind | null {
  let best: SentMessage | null = null;
  for (const m of history) if ((m.opened || m.clicked) && (!best || m.at.getTime() > best.at.getTime())) best = m;
  return best?.channel ?? null;
}

function consentAt(state: ShopperState, now: number): ConsentState {
  const consent = { ...state.shopper.recipient.consent };
  for (const m of state.sent) if (seen(m.unsubscribedAt, now)) consent[m.channel] = false;
  return consent;
}

export function engineView(campaign: Omit<Campaign, 'id'>, state: ShopperState, now: number): EngineView {
  const { shopper } = state;
  const mine: SentMessage[] = state.sent.map((m) => ({
    channel: m.channel,
    at: new Date(m.at),
    campaignId: SIM_CAMPAIGN_ID,
    checkoutId: shopper.id,
    stepIndex: m.stepIndex,
    delivered: m.at <= now,
    opened: seen(m.openAt, now),
    clicked: seen(m.clickAt, now),
  }));
  const history = [...shopper.earlier, ...mine];
  const enrollment: EnrollmentMessage[] = mine.map((m) => ({ stepIndex: m.stepIndex, channel: m.channel, at: m.at, delivered: m.delivered, opened: m.opened, clicked: m.clicked, failed: false }));
  const input: PlannerInput = {
    now: new Date(now),
    campaign: { id: SIM_CAMPAIGN_ID, ...campaign },
    checkout: { id: shopper.id, cartValue: shopper.cartValue, stage: shopper.stage, status: 'abandoned', abandonedAt: shopper.abandonedAt, isNewCustomer: !shopper.isReturning },
    recipient: { ...shopper.recipient, consent: consentAt(state, now), lastEngagedChannel: lastEngaged(history) },
    history,
    enrollment,
    timeScale: 1,
  };
  const facts: SimDecisionFacts = {
    device: shopper.device,
    cartItems: shopper.cartItems,
    ordersCount: shopper.ordersCount,
    lifetimeValue: shopper.lifetimeValue,
    previousOffers: state.sent.flatMap((m) => (m.offer ? [{ type: m.offer.type, percent: m.offer.percent }] : [])),
    sequence: state.sent.map((m) => ({ channel: m.channel, discountPct: m.discountPct })),
    stepOffers: state.sent.map((m) => ({ stepIndex: m.stepIndex, discountPct: m.discountPct })),
  };
  return { input, facts };
}
