import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN } from '../../campaigns/default-campaign';
import { randomWorld } from './random-world';
import { parseWorld, WorldError } from './world';

const defaultJson = readFileSync(join(__dirname, '../worlds/default.json'), 'utf8');
const base = () => JSON.parse(defaultJson);

function errorOf(mutate: (w: any) => void): WorldError {
  const w = base();
  mutate(w);
  try {
    parseWorld(w);
  } catch (error) {
    expect(error).toBeInstanceOf(WorldError);
    return error as WorldError;
  }
  throw new Error('expected a WorldError');
}

/** The shape of a v1 world (what ml/worlds/default.json was before v2). */
const v1 = {
  seed: 7,
  history_checkouts: 50000,
  eval_checkouts: 20000,
  max_messages: 3,
  discount_levels: [0, 5, 10, 15, 20],
  message_cost: { email: 0.001, push: 0.0005, sms: 0.0079 },
  segments: [{ name: 'all', share: 1, base_logit: -2.4 }],
};

describe('parseWorld (format v2)', () => {
  it('accepts the shipped default world: three segments, the seed campaign, its step count derived', () => {
    const world = parseWorld(defaultJson);
    expect(world.version).toBe(2);
    expect(world.segments.map((s) => s.name)).toEqual(['bargain', 'loyal', 'impulse_mobile']);
    expect(new Set(world.segments.map((s) => s.discount_lift_per_pct)).size).toBe(world.segments.length);
    expect(world.campaign).toEqual(DEFAULT_CAMPAIGN);
    expect(world.max_messages).toBe(DEFAULT_CAMPAIGN.steps.length);
    // A parsed world given back (spread and changed, as the specs do) parses again.
    expect(parseWorld({ ...world, seed: 9 }).seed).toBe(9);
  });

  it('refuses a v1 world by name', () => {
    const error = (() => {
      try {
        parseWorld(v1);
      } catch (e) {
        return e as WorldError;
      }
      throw new Error('expected a WorldError');
    })();
    expect(error).toBeInstanceOf(WorldError);
    expect(error.path).toBe('version');
    expect(error.message).toMatch(/^version: this is a v1 world .* not converted/);
    expect(errorOf((w) => delete w.version).message).toBe('version: required field is missing');
    expect(errorOf((w) => (w.version = 3)).path).toBe('version');
  });

  it('names an unknown key, nested or at the top', () => {
    expect(errorOf((w) => (w.segments[1].channel_lift.fax = 0.2)).path).toBe('segments[1].channel_lift.fax');
    const top = errorOf((w) => (w.seeds = 3));
    expect(top.path).toBe('seeds');
    expect(top.message).toContain('unknown field');
    expect(errorOf((w) => (w.response_delay.push.mean = 1)).path).toBe('response_delay.push.mean');
  });

  it('names a missing or mistyped field', () => {
    const missing = errorOf((w) => delete w.segments[0].organic_logit);
    expect(missing.path).toBe('segments[0].organic_logit');
    expect(missing.message).toBe('segments[0].organic_logit: required field is missing');
    expect(errorOf((w) => delete w.segments[2].unsubscribe.sms).path).toBe('segments[2].unsubscribe.sms');
    expect(errorOf((w) => (w.history_checkouts = 12.5)).path).toBe('history_checkouts');
    expect(errorOf((w) => (w.segments[2].cart_value.median = -4)).path).toBe('segments[2].cart_value.median');
    expect(errorOf((w) => (w.organic_delay.median_hours = 0)).path).toBe('organic_delay.median_hours');
    expect(errorOf((w) => (w.segments[0].interest_half_life_hours = -1)).path).toBe('segments[0].interest_half_life_hours');
    expect(errorOf((w) => (w.abandon_hour_weights = [1, 2])).path).toBe('abandon_hour_weights');
  });

  it('requires every mix to sum to 1, within tolerance', () => {
    const device = errorOf((w) => (w.segments[1].device.mobile = 0.5));
    expect(device.path).toBe('segments[1].device');
    expect(device.message).toMatch(/sum to 1 \(got 1\.2\)/);
    expect(errorOf((w) => (w.segments[0].stage_mix.payment = 0.3)).path).toBe('segments[0].stage_mix');
    expect(errorOf((w) => (w.segments[0].share = 0.5)).path).toBe('segments');
    expect(errorOf((w) => (w.timezones['Europe/Paris'] = 0.9)).path).toBe('timezones');
    const w = base();
    w.segments[0].device.mobile += 0.0004;
    expect(() => parseWorld(w)).not.toThrow();
  });

  it('checks time zones, discount levels, probabilities and segment names', () => {
    expect(errorOf((w) => (w.timezones = { 'Mars/Olympus': 1 })).path).toBe('timezones.Mars/Olympus');
    expect(errorOf((w) => (w.discount_levels = [5, 10])).message).toContain('must include 0');
    expect(errorOf((w) => (w.discount_levels = [0, 10, 5])).message).toContain('ascending');
    expect(errorOf((w) => (w.segments[0].reachable.sms = 1.4)).path).toBe('segments[0].reachable.sms');
    expect(errorOf((w) => (w.segments[0].unsubscribe.sms = 0.9)).path).toBe('segments[0].unsubscribe.sms');
    expect(errorOf((w) => (w.segments[1].name = w.segments[0].name)).path).toBe('segments[1].name');
  });

  it('takes a campaign of its own, checked by the campaign schema with the field named', () => {
    const campaign = { ...DEFAULT_CAMPAIGN, steps: DEFAULT_CAMPAIGN.steps.slice(0, 2) };
    const w = base();
    w.campaign = campaign;
    expect(parseWorld(w).max_messages).toBe(2);
    const bad = errorOf((x) => (x.campaign = { ...campaign, steps: [{ ...campaign.steps[0] }, { ...campaign.steps[1], delayMinutes: -5 }] }));
    expect(bad.path).toBe('campaign.steps[1].delayMinutes');
  });

  it('reports malformed JSON as a document-level error', () => {
    expect(() => parseWorld('{"seed": 7,')).toThrow(/not valid JSON/);
  });

  it('generates random v2 worlds that validate', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const world = randomWorld(seed);
      expect(world.version).toBe(2);
      expect(world.segments.length).toBeGreaterThanOrEqual(3);
    }
  });
});
