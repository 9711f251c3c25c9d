/**
 * The world's truth about one checkout: how likely it is recovered after a sequence of messages, and what
 * the sequence earns.
 *
 *   P(recovered) = sigmoid(base_logit + stage_lift[stage] + Σᵢ channel_lift[channelᵢ]·0.7^i
 *                          + discount_lift_per_pct·min(max offered %, discount_saturation_pct)
 *                          + fatigue_per_message·max(n − 1, 0))
 *
 * over the n messages actually sent (one on a channel the customer cannot be reached on is not sent and
 * counts for nothing, its discount included). A recovery earns value·margin_rate − value·pct/100 with pct
 * the largest percent offered; message costs are paid whatever happens.
 */
import type { ChannelKind } from '../../campaigns/types';
import { maxDiscount, type SequenceMessage } from '../features';
import type { Segment, World, WorldStage } from './world';

export const POSITION_DECAY = 0.7;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function deliveredMessages(reachable: Record<ChannelKind, boolean>, messages: readonly SequenceMessage[]): SequenceMessage[] {
  return messages.filter((m) => reachable[m.channel]);
}

/** `messages` must already be the delivered ones. */
export function recoveryLogit(segment: Segment, stage: WorldStage, messages: readonly SequenceMessage[]): number {
  const channels = messages.reduce((sum, m, i) => sum + segment.channel_lift[m.channel] * POSITION_DECAY ** i, 0);
  const discount = segment.discount_lift_per_pct * Math.min(maxDiscount(messages), segment.discount_saturation_pct);
  const fatigue = segment.fatigue_per_message * Math.max(messages.length - 1, 0);
  return segment.base_logit + segment.stage_lift[stage] + channels + discount + fatigue;
}

export function recoveryProbability(segment: Segment, stage: WorldStage, messages: readonly SequenceMessage[]): number {
  return sigmoid(recoveryLogit(segment, stage, messages));
}

export interface SequenceEconomics {
  revenue: number;
  discountCost: number;
  messageCost: number;
  margin: number;
}

/** What a sequence earned, given whether the checkout was recovered; `messages` delivered only. */
export function sequenceEconomics(world: Pick<World, 'message_cost'>, segment: Segment, cartValue: number, messages: readonly SequenceMessage[], recovered: boolean): SequenceEconomics {
  const messageCost = messages.reduce((sum, m) => sum + world.message_cost[m.channel], 0);
  const discountCost = recovered ? (cartValue * maxDiscount(messages)) / 100 : 0;
  const revenue = recovered ? cartValue : 0;
  const margin = (recovered ? cartValue * segment.margin_rate : 0) - discountCost - messageCost;
  return { revenue, discountCost, messageCost, margin };
}
