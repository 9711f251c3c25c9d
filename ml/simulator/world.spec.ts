import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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

describe('parseWorld', () => {
  it('accepts the shipped default world, with at least three segments', () => {
    const world = parseWorld(defaultJson);
    expect(world.segments.length).toBeGreaterThanOrEqual(3);
    expect(new Set(world.segments.map((s) => s.discount_lift_per_pct)).size).toBe(world.segments.length);
  });

  it('names an unknown key, nested or at the top', () => {
    expect(errorOf((w) => (w.segments[1].channel_lift.fax = 0.2)).path).toBe('segments[1].channel_lift.fax');
    const top = errorOf((w) => (w.seeds = 3));
    expect(top.path).toBe('seeds');
    expect(top.message).toContain('unknown field');
  });

  it('names a missing or mistyped field', () => {
    const missing = errorOf((w) => delete w.segments[0].base_logit);
    expect(missing.path).toBe('segments[0].base_logit');
    expect(missing.message).toBe('segments[0].base_logit: required field is missing');
    expect(errorOf((w) => (w.history_checkouts = 12.5)).path).toBe('history_checkouts');
    expect(errorOf((w) => (w.segments[2].cart_value.median = -4)).path).toBe('segments[2].cart_value.median');
  });

  it('requires every mix to sum to 1, within tolerance', () => {
    const device = errorOf((w) => (w.segments[1].device.mobile = 0.5));
    expect(device.path).toBe('segments[1].device');
    expect(device.message).toMatch(/sum to 1 \(got 1\.2\)/);
    expect(errorOf((w) => (w.segments[0].stage_mix.payment = 0.3)).path).toBe('segments[0].stage_mix');
    expect(errorOf((w) => (w.segments[0].share = 0.5)).path).toBe('segments');
    const w = base();
    w.segments[0].device.mobile += 0.0004;
    expect(() => parseWorld(w)).not.toThrow();
  });

  it('checks discount levels, probabilities and segment names', () => {
    expect(errorOf((w) => (w.discount_levels = [5, 10])).message).toContain('must include 0');
    expect(errorOf((w) => (w.discount_levels = [0, 10, 5])).message).toContain('ascending');
    expect(errorOf((w) => (w.segments[0].reachable.sms = 1.4)).path).toBe('segments[0].reachable.sms');
    expect(errorOf((w) => (w.segments[1].name = w.segments[0].name)).path).toBe('segments[1].name');
  });

  it('reports malformed JSON as a document-level error', () => {
    expect(() => parseWorld('{"seed": 7,')).toThrow(/not valid JSON/);
  });

  it('generates random worlds that validate', () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(randomWorld(seed).segments.length).toBeGreaterThanOrEqual(3);
  });
});
