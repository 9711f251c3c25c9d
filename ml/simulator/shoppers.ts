/**
 * Simulated shoppers: each abandons one checkout, belongs to a hidden segment, and has what the engine would
 * know of them (cart, device, stage, customer record, contacts and consents, time zone when known, their
 * earlier recovery messages) plus their own luck (when they would come back with no message).
 *
 * Earlier recovery messages (returning shoppers only: 0–4 per reachable channel) are placed 7–30 days before
 * the abandonment: inside the planner's 30-day history, so they shape engagement and `last_engaged`, but never
 * inside the 7-day frequency cap.
 */
import { instantFromLocal, localDateTime } from '../../campaigns/local-time';
import { CHANNELS, type ChannelKind, type Recipient, type SentMessage } from '../../campaigns/types';
import type { Device } from '../features';
import { bernoulli, createRandom, pickWeighted, type Random, randomInt, standardNormal } from '../random';
import { DrawKind, keyedUniform, keyOf, lognormalHours } from './draws';
import { CLICK_SHARE_OF_OPENS, openChance, organicChance } from './truth';
import type { Segment, World, WorldStage } from './world';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface SimShopper {
  /** Keys every draw of this shopper (see draws.ts). */
  key: number;
  /** The checkout's id (also what the engine's exploration is seeded with). */
  id: string;
  segmentIndex: number;
  stage: WorldStage;
  abandonedAt: Date;
  cartValue: number;
  cartItems: number;
  device: Device;
  isReturning: boolean;
  ordersCount: number;
  lifetimeValue: number;
  /** The shopper's real zone; the engine knows it only when `recipient.timezone` is set. */
  zone: string;
  /** Contacts and consents at abandonment (`lastEngagedChannel` is derived from the history at each decision). */
  recipient: Recipient;
  /** Earlier recovery messages of other checkouts, with their opens and clicks. */
  earlier: SentMessage[];
  /** When they would order with no message at all (epoch ms), or null. */
  organicAt: number | null;
}

/** A group of shoppers drawn together: the history, or the fresh ones policies are compared on. */
export interface Population {
  /** Distinguishes populations of one world (history 0, evaluation 1, …). */
  salt: number;
  count: number;
  /** Abandonments are spread evenly over [start, start + days), each at a local hour drawn from the world. */
  start: Date;
  days: number;
  prefix: string;
}

function phoneFor(zone: string, random: Random): string {
  // 555-01xx numbers are fiction in every North American area code; 212 (New York) has no stricter state rule.
  if (zone.startsWith('America/')) return `+12125550${String(100 + randomInt(random, 100))}`;
  return `+3361234${String(1000 + randomInt(random, 9000))}`;
}

function earlierMessages(random: Random, segment: Segment, id: string, abandonedAt: Date, reachable: Record<ChannelKind, boolean>): SentMessage[] {
  const out: SentMessage[] = [];
  for (const channel of CHANNELS) {
    if (!reachable[channel]) continue;
    const count = randomInt(random, 5);
    for (let i = 0; i < count; i++) {
      const opened = bernoulli(random, openChance(segment, channel));
      const clicked = opened && bernoulli(random, CLICK_SHARE_OF_OPENS);
      const at = new Date(abandonedAt.getTime() - (7 + 23 * random()) * DAY_MS);
      out.push({ channel, at, campaignId: 'earlier', checkoutId: `${id}-earlier`, stepIndex: out.length, delivered: true, opened, clicked });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The instant of `around`'s local day in `zone` at an hour drawn from the world's abandonment hours. */
function atLocalHour(world: Pick<World, 'abandon_hour_weights'>, random: Random, around: Date, zone: string): Date {
  const weights = Object.fromEntries(world.abandon_hour_weights.map((w, h) => [String(h), w]));
  const total = world.abandon_hour_weights.reduce((s, w) => s + w, 0);
  for (const k of Object.keys(weights)) weights[k] /= total;
  const hour = Number(pickWeighted(random, weights));
  const day = localDateTime(around, zone);
  return instantFromLocal({ year: day.year, month: day.month, day: day.day, hour, minute: randomInt(random, 60), second: randomInt(random, 60) }, zone);
}

/**
 * One shopper. `key` fixes every draw; `abandonedAt` is taken as given, or (`localHourOf`) moved to an hour
 * of the same local day drawn from the world's `abandon_hour_weights`.
 */
export function drawShopper(world: World, key: number, id: string, abandonedAt: Date, options: { localHour?: boolean } = {}): SimShopper {
  const random = createRandom(keyOf(key, DrawKind.shopper));
  const shares = Object.fromEntries(world.segments.map((s, i) => [String(i), s.share]));
  const segmentIndex = Number(pickWeighted(random, shares));
  const segment = world.segments[segmentIndex];
  const zone = pickWeighted(random, world.timezones);
  const known = bernoulli(random, world.timezone_known_rate);
  const at = options.localHour ? atLocalHour(world, random, abandonedAt, zone) : abandonedAt;
  const cartValue = Math.round(segment.cart_value.median * Math.exp(segment.cart_value.sigma * standardNormal(random)) * 100) / 100;
  const stage = pickWeighted(random, segment.stage_mix);
  const device: Device = pickWeighted(random, segment.device);
  const isReturning = bernoulli(random, segment.returning_rate);
  const ordersCount = isReturning ? 1 + Math.floor(-Math.log(Math.max(random(), 1e-12)) * 3) : 0;
  const reachable = { email: bernoulli(random, segment.reachable.email), push: bernoulli(random, segment.reachable.push), sms: bernoulli(random, segment.reachable.sms) };
  const cartItems = 1 + Math.floor(cartValue / (20 + 40 * random()));
  const lifetimeValue = Math.round(ordersCount * cartValue * (0.6 + 0.8 * random()) * 100) / 100;
  const recipient: Recipient = {
    timezone: known ? zone : null,
    email: reachable.email ? `shopper-${id}@example.com` : null,
    phone: reachable.sms ? phoneFor(zone, random) : null,
    pushSubscriptions: reachable.push ? 1 : 0,
    consent: reachable.sms ? { sms: true } : {},
    requireEmailOptIn: false,
    lastEngagedChannel: null,
  };
  const earlier = isReturning ? earlierMessages(random, segment, id, at, reachable) : [];
  // The shopper's own luck, keyed apart from the facts above: the same whatever policy runs.
  const comesBack = keyedUniform(key, DrawKind.organicChance) < organicChance(segment, stage);
  const organicAt = comesBack ? at.getTime() + lognormalHours(world.organic_delay, keyedUniform(key, DrawKind.organicDelay)) * HOUR_MS : null;
  return { key, id, segmentIndex, stage, abandonedAt: at, cartValue, cartItems, device, isReturning, ordersCount, lifetimeValue, zone, recipient, earlier, organicAt };
}

/** The shoppers of a population, abandoning evenly over its days (each at a local hour the world draws). */
export function drawPopulation(world: World, population: Population): SimShopper[] {
  const span = population.days * DAY_MS;
  return Array.from({ length: population.count }, (_, i) =>
    drawShopper(world, keyOf(world.seed, population.salt, i), `${population.prefix}-${i}`, new Date(population.start.getTime() + ((i + 0.5) / population.count) * span), { localHour: true }),
  );
}
