/**
 * The world's truth about one shopper, in event time (every field is described in ml/README.md):
 *
 *   organic return    P = sigmoid(organic_logit + stage_lift[stage]), after a log-normal `organic_delay`
 *                     from abandonment;
 *   a message's pull  P = sigmoid(response_logit + stage_lift[stage] + channel_lift[channel]
 *                                 + hour_lift[band of the local hour at delivery]
 *                                 + discount_lift_per_pct · min(percent, discount_saturation_pct)
 *                                 + fatigue_per_message · messages delivered before it)
 *                         · 0.5^(hours since abandonment / interest_half_life_hours),
 *                     the order following delivery after a log-normal `response_delay[channel]`;
 *   unsubscribing     `unsubscribe[channel]` per message delivered (that message then brings no order);
 *   opening           sigmoid(channel_lift[channel] − 1), a click on 40 % of opens: a weak, honest signal of
 *                     which channel works for the shopper. A message that brings an order is opened and clicked.
 *
 * The shopper orders at the earliest of these events; the engine's suppression stops everything after it.
 */
import type { ChannelKind } from '../../campaigns/types';
import type { Delay, HourBand, Segment, World, WorldStage } from './world';

/** When an open (or the unsubscribe click) follows delivery: half within 30 minutes. */
export const OPEN_DELAY: Delay = { median_hours: 0.5, sigma: 1 };
export const CLICK_SHARE_OF_OPENS = 0.4;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** night 00–06, morning 06–12, afternoon 12–18, evening 18–24 (the shopper's own clock). */
export function hourBand(localHour: number): HourBand {
  return localHour < 6 ? 'night' : localHour < 12 ? 'morning' : localHour < 18 ? 'afternoon' : 'evening';
}

export function organicChance(segment: Segment, stage: WorldStage): number {
  return sigmoid(segment.organic_logit + segment.stage_lift[stage]);
}

export interface DeliveredMessage {
  channel: ChannelKind;
  /** The shopper's local hour when it arrives. */
  localHour: number;
  /** The percent it offers (0: none). */
  discountPct: number;
  /** Messages of this sequence delivered before it. */
  before: number;
  hoursSinceAbandon: number;
}

export function responseLogit(world: Pick<World, 'hour_lift'>, segment: Segment, stage: WorldStage, m: DeliveredMessage): number {
  return (
    segment.response_logit +
    segment.stage_lift[stage] +
    segment.channel_lift[m.channel] +
    world.hour_lift[hourBand(m.localHour)] +
    segment.discount_lift_per_pct * Math.min(m.discountPct, segment.discount_saturation_pct) +
    segment.fatigue_per_message * m.before
  );
}

/** P(this message brings the order), before the unsubscribe draw. */
export function responseChance(world: Pick<World, 'hour_lift'>, segment: Segment, stage: WorldStage, m: DeliveredMessage): number {
  // Interest fades: the same reminder pulls half as hard one half-life after abandonment.
  return sigmoid(responseLogit(world, segment, stage, m)) * 0.5 ** (Math.max(0, m.hoursSinceAbandon) / segment.interest_half_life_hours);
}

export function openChance(segment: Segment, channel: ChannelKind): number {
  return sigmoid(segment.channel_lift[channel] - 1);
}
