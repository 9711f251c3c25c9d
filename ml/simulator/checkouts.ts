/**
 * Abandoned checkouts drawn from a world: a hidden segment, and the observable facts a policy may see
 * (cart, device, stage, returning or not, reachable channels, past engagement, local time).
 *
 * Past engagement is part of the simulated truth: a returning customer's past messages on a channel were
 * opened more often the more that channel works on their segment (open rate sigmoid(channel_lift − 1)),
 * and clicked at 40% of opens — a weak, honest signal of channel preference.
 */
import { CHANNELS, type ChannelKind } from '../../campaigns/types';
import type { ChannelEngagement, DecisionContext, Device } from '../features';
import { bernoulli, pickWeighted, type Random, randomInt, standardNormal } from '../random';
import { sigmoid } from './outcome';
import type { Segment, World, WorldStage } from './world';

export interface SimulatedCheckout {
  id: string;
  segmentIndex: number;
  stage: WorldStage;
  abandonedAt: Date;
  /** The observable facts at the first decision (no message sent yet). */
  ctx: DecisionContext;
}

const DAY_MS = 86_400_000;

function binomial(random: Random, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

function engagementFor(random: Random, segment: Segment, returning: boolean, reachable: Record<ChannelKind, boolean>): Record<ChannelKind, ChannelEngagement> {
  const out = {} as Record<ChannelKind, ChannelEngagement>;
  for (const channel of CHANNELS) {
    const sent = returning && reachable[channel] ? randomInt(random, 5) : 0;
    const opened = binomial(random, sent, sigmoid(segment.channel_lift[channel] - 1));
    out[channel] = { sent, opened, clicked: binomial(random, opened, 0.4) };
  }
  return out;
}

function localHour(random: Random): number {
  return random() < 0.6 ? 17 + randomInt(random, 7) : randomInt(random, 24);
}

export function drawCheckout(world: Pick<World, 'segments'>, random: Random, id: string, abandonedAt: Date): SimulatedCheckout {
  const shares = Object.fromEntries(world.segments.map((s, i) => [String(i), s.share]));
  const segmentIndex = Number(pickWeighted(random, shares));
  const segment = world.segments[segmentIndex];
  const cartValue = Math.round(segment.cart_value.median * Math.exp(segment.cart_value.sigma * standardNormal(random)) * 100) / 100;
  const stage = pickWeighted(random, segment.stage_mix);
  const device: Device = pickWeighted(random, segment.device);
  const isReturning = bernoulli(random, segment.returning_rate);
  const ordersCount = isReturning ? 1 + Math.floor(-Math.log(Math.max(random(), 1e-12)) * 3) : 0;
  const reachable = { email: bernoulli(random, segment.reachable.email), push: bernoulli(random, segment.reachable.push), sms: bernoulli(random, segment.reachable.sms) };
  return {
    id,
    segmentIndex,
    stage,
    abandonedAt,
    ctx: {
      cartValue,
      cartItems: 1 + Math.floor(cartValue / (20 + 40 * random())),
      stage,
      device,
      localHour: localHour(random),
      weekday: randomInt(random, 7),
      isReturning,
      ordersCount,
      lifetimeValue: Math.round(ordersCount * cartValue * (0.6 + 0.8 * random()) * 100) / 100,
      reachable,
      engagement: engagementFor(random, segment, isReturning, reachable),
      stepIndex: 0,
      messagesSent: [],
    },
  };
}

/** `count` checkouts abandoned evenly over `days` days ending at `end`. */
export function drawCheckouts(world: Pick<World, 'segments'>, random: Random, count: number, end: Date, days: number, prefix: string): SimulatedCheckout[] {
  const start = end.getTime() - days * DAY_MS;
  return Array.from({ length: count }, (_, i) => drawCheckout(world, random, `${prefix}-${i}`, new Date(start + ((i + 0.5) / count) * days * DAY_MS)));
}
