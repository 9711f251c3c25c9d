import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN } from '../../campaigns/default-campaign';
import { DEFAULT_DISCOUNT_RULES, discountValue } from '../../campaigns/discount-rules';
import { instantFromLocal } from '../../campaigns/local-time';
import type { CampaignStep } from '../../campaigns/types';
import { DrawKind, keyedUniform, keyOf } from './draws';
import { type Chooser, type DecisionRequest, simulate, type SimulationEnv } from './event-loop';
import { generateHistory, holdoutShare } from './history';
import { PRODUCTION_EXPLORATION, rulesChooser, seedScheduleChooser } from './policies';
import { drawPopulation, drawShopper, type SimShopper } from './shoppers';
import { parseWorld, type World, worldEconomics } from './world';

const HOUR = 3_600_000;
const defaults = parseWorld(readFileSync(join(__dirname, '../worlds/default.json'), 'utf8'));

/**
 * One segment (bargain) whose messages never bring an order and are never opened: only the shopper's own
 * return orders, and the planner's channel order does not depend on opens.
 */
function quietWorld(overrides: Partial<World['segments'][number]> = {}, campaignSteps?: CampaignStep[]): World {
  const segment = { ...defaults.segments[0], share: 1, response_logit: -60, channel_lift: { email: -30, push: -30, sms: -30 }, unsubscribe: { email: 0, push: 0, sms: 0 }, ...overrides };
  const campaign = campaignSteps ? { ...DEFAULT_CAMPAIGN, steps: campaignSteps } : DEFAULT_CAMPAIGN;
  return { ...defaults, segments: [segment], campaign, max_messages: campaign.steps.length };
}

const envOf = (world: World): SimulationEnv => ({ world, discountRules: DEFAULT_DISCOUNT_RULES, economics: worldEconomics(world) });

/** A shopper reachable everywhere, in Paris, abandoning on a Tuesday at 11:00 Paris time (no quiet hours in the way). */
function shopper(world: World, over: Partial<SimShopper> = {}, key = 1): SimShopper {
  const drawn = drawShopper(world, key, `s${key}`, new Date('2026-03-10T10:00:00Z'));
  return {
    ...drawn,
    cartValue: 80,
    isReturning: false,
    ordersCount: 0,
    lifetimeValue: 0,
    earlier: [],
    zone: 'Europe/Paris',
    recipient: { timezone: 'Europe/Paris', email: 'a@example.com', phone: '+33612345678', pushSubscriptions: 1, consent: { sms: true }, requireEmailOptIn: false, lastEngagedChannel: null },
    organicAt: null,
    ...over,
  };
}

const at = (s: SimShopper, hours: number) => s.abandonedAt.getTime() + hours * HOUR;

describe('the event-time simulator', () => {
  it('an order before the offer pays no discount, and ends the sequence: later messages are never sent nor paid', () => {
    const world = quietWorld();
    const env = envOf(world);
    const run = (organicHours: number) => {
      const s = shopper(world);
      return simulate(env, [{ ...s, organicAt: at(s, organicHours) }], seedScheduleChooser)[0];
    };
    const early = run(30); // after the 24 h email, before the 48 h offer
    expect(early.sent.map((m) => m.channel)).toEqual(['push', 'email']);
    expect(early).toMatchObject({ recovered: true, end: 'ordered', discountCost: 0, revenue: 80 });
    expect(early.messageCost).toBeCloseTo(world.message_cost.push + world.message_cost.email, 12);
    expect(early.margin).toBeCloseTo(80 * world.segments[0].margin_rate - early.messageCost, 10);

    // After the offer and within its code's 48 h: the order uses it.
    const after = run(60);
    expect(after.sent.map((m) => [m.channel, m.discountPct])).toEqual([
      ['push', 0],
      ['email', 0],
      ['sms', 10],
    ]);
    const offer = after.sent[2];
    expect(offer.offer).toMatchObject({ type: 'percent', percent: 10, until: offer.at + 48 * HOUR });
    expect(after.discountCost).toBe(discountValue(DEFAULT_DISCOUNT_RULES[2].offer, 10, 80));
    expect(after.discountCost).toBe(8);

    // After the code has run out (sent at 48 h, valid 48 h), still inside the 120 h window: no discount.
    const lapsed = run(100);
    expect(lapsed).toMatchObject({ recovered: true, discountCost: 0 });
  });

  it('an unsubscribe removes the channel: a later step cannot use it', () => {
    const world = quietWorld({ unsubscribe: { email: 0.5, push: 0, sms: 0 } });
    const steps: CampaignStep[] = [
      { delayMinutes: 60, channels: ['email'], templates: { email: 'a' } },
      { delayMinutes: 24 * 60, channels: ['email'], templates: { email: 'b' } },
      { delayMinutes: 48 * 60, channels: ['email', 'push'], templates: { email: 'c', push: 'c' } },
    ];
    const w = { ...world, campaign: { ...DEFAULT_CAMPAIGN, steps }, max_messages: 3 };
    // A shopper whose first message's unsubscribe draw falls under one half.
    const key = [...Array(100).keys()].find((k) => keyedUniform(k, DrawKind.unsubscribe, 0) < 0.5)!;
    const requests: DecisionRequest[] = [];
    const spy: Chooser = (rs) => {
      requests.push(...rs);
      return rulesChooser(rs);
    };
    const [outcome] = simulate(envOf(w), [shopper(w, {}, key)], spy);
    // The second step (email only) was planned right after the first send, then dropped at its re-check: no channel left.
    expect(outcome.sent.map((m) => [m.stepIndex, m.channel])).toEqual([
      [0, 'email'],
      [2, 'push'],
    ]);
    expect(outcome.unsubscribes).toBe(1);
    expect(outcome.lostSubscriberCost).toBe(w.lost_subscriber_cost.email);
    const last = requests.at(-1)!;
    expect(last.input.ctx.stepIndex).toBe(2);
    expect(last.input.recipient.consent.email).toBe(false);
    expect(last.input.ctx.reachable.email).toBe(false);
    expect(last.input.ctx.reachable.push).toBe(true);
    const channelsOf = (r: DecisionRequest) => [...new Set(rulesChooser([r])[0].candidates.map((c) => c.channel))];
    expect(channelsOf(last)).toEqual(['none', 'push']);
    // A shopper who did not unsubscribe gets the second email, and email stays a candidate of the third step
    // (where the rules, after an unanswered email, put push first).
    const stays = [...Array(100).keys()].find((k) => keyedUniform(k, DrawKind.unsubscribe, 0) >= 0.5 && keyedUniform(k, DrawKind.unsubscribe, 1) >= 0.5)!;
    const theirs: DecisionRequest[] = [];
    const kept = simulate(envOf(w), [shopper(w, {}, stays)], (rs) => (theirs.push(...rs), rulesChooser(rs)))[0];
    expect(kept.sent.map((m) => m.channel)).toEqual(['email', 'email', 'push']);
    expect(channelsOf(theirs.at(-1)!)).toEqual(['none', 'email', 'push']);
  });

  it("quiet hours move a late-evening reminder to the morning in the shopper's own zone (UTC when the zone is unknown)", () => {
    const world = quietWorld({}, [{ delayMinutes: 60, channels: ['push'], templates: { push: 'p' } }]);
    // 22:30 in New York (EDT, UTC−4): the 1 h push would be 23:30, quiet until 08:00.
    const abandonedAt = instantFromLocal({ year: 2026, month: 3, day: 10, hour: 22, minute: 30 }, 'America/New_York');
    const base = shopper(world, { abandonedAt, zone: 'America/New_York' });
    const known = { ...base, recipient: { ...base.recipient, timezone: 'America/New_York' } };
    const requests: DecisionRequest[] = [];
    const [sent] = simulate(envOf(world), [known], (rs) => (requests.push(...rs), rulesChooser(rs)));
    expect(new Date(sent.sent[0].at)).toEqual(instantFromLocal({ year: 2026, month: 3, day: 11, hour: 8, minute: 0 }, 'America/New_York'));
    expect(requests[0].input.ctx).toMatchObject({ localHour: 22, weekday: 2, hoursSinceAbandon: 0 });
    // The engine does not know the zone: quiet hours in UTC (02:30Z + 1 h is quiet until 08:00Z).
    const unknown = { ...base, recipient: { ...base.recipient, timezone: null } };
    expect(new Date(simulate(envOf(world), [unknown], rulesChooser)[0].sent[0].at)).toEqual(new Date('2026-03-11T08:00:00Z'));
  });

  it('never sends on an unreachable channel: a shopper without push gets the first reminder by email, and pays only for what went out', () => {
    const world = quietWorld();
    const s = shopper(world);
    const [outcome] = simulate(envOf(world), [{ ...s, recipient: { ...s.recipient, pushSubscriptions: 0 } }], seedScheduleChooser);
    expect(outcome.sent.map((m) => [m.stepIndex, m.channel, (m.at - s.abandonedAt.getTime()) / HOUR])).toEqual([
      [0, 'email', 1],
      [1, 'email', 24],
      [2, 'sms', 48],
    ]);
    expect(outcome.messageCost).toBeCloseTo(2 * world.message_cost.email + world.message_cost.sms, 12);
    expect(outcome).toMatchObject({ recovered: false, revenue: 0, discountCost: 0, end: 'sequence_done' });
  });

  it("counts orders within the campaign's attribution window from abandonment only", () => {
    const world = quietWorld();
    const s = shopper(world);
    const heldOut = (hours: number) => simulate(envOf(world), [{ ...s, organicAt: at(s, hours) }], rulesChooser, { control: () => true })[0];
    expect(world.campaign.attributionWindowHours).toBe(120);
    expect(heldOut(110)).toMatchObject({ recovered: true, revenue: 80, sent: [], control: true });
    expect(heldOut(130)).toMatchObject({ recovered: false, revenue: 0, margin: 0 });
    // Sent every message, ordering after the window: not counted, no revenue, the messages paid.
    const late = simulate(envOf(world), [{ ...s, organicAt: at(s, 130) }], rulesChooser)[0];
    expect(late).toMatchObject({ recovered: false, revenue: 0, discountCost: 0, end: 'sequence_done' });
    expect(late.sent).toHaveLength(3);
  });

  it('a send-time arm moves the first reminder', () => {
    const world = quietWorld({}, [{ delayMinutes: 60, channels: ['email'], templates: { email: 'a' }, sendTimeArms: [15, 240] }]);
    const shoppers = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => shopper(world, {}, k));
    const delays = simulate(envOf(world), shoppers, rulesChooser).map((o) => (o.sent[0].at - o.shopper.abandonedAt.getTime()) / 60_000);
    expect(new Set(delays)).toEqual(new Set([15, 240]));
  });

  it('common random numbers: the same policy twice gives the same results; the same messages meet the same luck', () => {
    const world = defaults;
    const shoppers = drawPopulation(world, { salt: 5, count: 400, start: new Date('2026-06-10T00:00:00Z'), days: 7, prefix: 'crn' });
    const env = envOf(world);
    const once = simulate(env, shoppers, rulesChooser);
    const twice = simulate(env, shoppers, rulesChooser);
    expect(twice).toEqual(once);
    // The seed schedule, and the same exploring at the production rates: where they sent the same, the same luck.
    const seed = simulate(env, shoppers, seedScheduleChooser);
    const exploring = simulate(env, shoppers, (rs) => seedScheduleChooser(rs.map((r) => ({ ...r, input: { ...r.input, exploration: PRODUCTION_EXPLORATION } }))));
    const key = (o: (typeof once)[number]) => JSON.stringify(o.sent.map((m) => [m.stepIndex, m.channel, m.at, m.discountPct]));
    const same = seed.filter((o, i) => key(o) === key(exploring[i]));
    expect(same.length).toBeGreaterThan(200);
    expect(same.length).toBeLessThan(400);
    for (const o of same) {
      const other = exploring[shoppers.indexOf(o.shopper)];
      expect([other.orderedAt, other.margin, other.unsubscribes]).toEqual([o.orderedAt, o.margin, o.unsubscribes]);
    }
    // Organic luck is the shopper's whatever runs: held out, the same shoppers come back at the same moments.
    const none = simulate(env, shoppers, rulesChooser, { control: () => true });
    expect(none.map((o) => o.orderedAt)).toEqual(shoppers.map((s) => s.organicAt));
  });
});

describe('the logged history', () => {
  it('logs exactly the asked checkouts under a uniform policy, holds out a share, labels by the window', () => {
    const world = defaults;
    const end = new Date('2026-06-01T00:00:00Z');
    const { examples, end: returned } = generateHistory(world, { discountRules: DEFAULT_DISCOUNT_RULES, count: 1500, end });
    expect(returned).toEqual(end);
    const byCheckout = new Map<string, typeof examples>();
    for (const e of examples) byCheckout.set(e.checkoutId, [...(byCheckout.get(e.checkoutId) ?? []), e]);
    expect(byCheckout.size).toBe(1500);
    expect(examples.every((e) => e.decidedAt <= end)).toBe(true);
    for (const list of byCheckout.values()) expect(new Set(list.map((e) => e.recovered)).size).toBe(1);
    // Uniform over each step's candidates, stopping included; a sequence's first decision also carries the holdout draw.
    const h = holdoutShare(world);
    for (const list of byCheckout.values()) {
      if (!list[0].candidates) continue;
      list.forEach((e, k) => expect(e.propensity).toBeCloseTo((k === 0 ? 1 - h : 1) / e.candidates!.length, 12));
    }
    expect(examples.some((e) => e.candidates && e.action.channel === 'none')).toBe(true);
    // Held out: one "send nothing" decision at the holdout probability, in the context of the first decision.
    const held = examples.filter((e) => !e.candidates);
    expect(held.every((e) => e.action.channel === 'none' && e.propensity === h && e.ctx.hoursSinceAbandon === 0)).toBe(true);
    expect(held.length / byCheckout.size).toBeGreaterThan(0.06);
    expect(held.length / byCheckout.size).toBeLessThan(0.14);
    // A recovery's margin is the shop's margin on the cart less the code it used.
    const marginRate = worldEconomics(world).marginRate;
    for (const e of examples.filter((x) => x.recovered)) expect(e.margin).toBeCloseTo(e.ctx.cartValue * marginRate - e.discountCost!, 9);
    const recovered = [...byCheckout.values()].filter((l) => l[0].recovered).length / byCheckout.size;
    expect(recovered).toBeGreaterThan(0.05);
    expect(recovered).toBeLessThan(0.4);
  }, 60_000);

  it('keys shoppers by world seed and population: another population is other shoppers', () => {
    expect(keyOf(7, 100, 3)).not.toBe(keyOf(7, 101, 3));
    expect(keyOf(7, 100, 3)).toBe(keyOf(7, 100, 3));
  });
});
