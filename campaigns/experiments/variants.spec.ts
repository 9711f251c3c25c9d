import { describe, expect, it } from 'vitest';
import type { CampaignStep, StepVariant } from '../types';
import { drawVariant, fixedOfferPercent, promoteVariant, stepWithVariant, variantPosition, variantShares } from './variants';

const variants: StepVariant[] = [
  { name: 'control copy', weight: 50 },
  { name: 'short subject', weight: 30, templates: { email: 'reminder-email-short' } },
  { name: '5 % off', weight: 20, discountPct: 5 },
];
const step: CampaignStep = { delayMinutes: 60, channels: ['email', 'sms'], templates: { email: 'reminder-email', sms: 'reminder-sms' }, variants };

describe('step variants', () => {
  it('draws each variant with its weight, and records that probability', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const drawn = drawVariant(variants, variantPosition('s3cret', `enr-${i}`, 1))!;
      counts.set(drawn.name, (counts.get(drawn.name) ?? 0) + 1);
      expect(drawn.probability).toBe(variants.find((v) => v.name === drawn.name)!.weight / 100);
    }
    expect(counts.get('control copy')! / 10_000).toBeCloseTo(0.5, 1);
    expect(counts.get('short subject')! / 10_000).toBeCloseTo(0.3, 1);
    expect(counts.get('5 % off')! / 10_000).toBeCloseTo(0.2, 1);
  });

  it('draws the same variant for the same enrollment and step', () => {
    expect(variantPosition('s', 'enr-1', 2)).toBe(variantPosition('s', 'enr-1', 2));
    expect(variantPosition('s', 'enr-1', 2)).not.toBe(variantPosition('s', 'enr-1', 3));
  });

  it('re-weights the rest when a variant is paused', () => {
    const paused = variants.map((v) => (v.name === 'control copy' ? { ...v, paused: true } : v));
    expect(variantShares(paused)).toEqual([
      { name: 'short subject', probability: 0.6 },
      { name: '5 % off', probability: 0.4 },
    ]);
    expect(drawVariant(paused, 0.59)?.name).toBe('short subject');
    expect(drawVariant(paused, 0.61)?.name).toBe('5 % off');
    expect(drawVariant(null, 0.5)).toBeNull();
  });

  it('applies a variant over the step: its templates per channel and its offer', () => {
    expect(stepWithVariant(step, 'short subject').templates).toEqual({ email: 'reminder-email-short', sms: 'reminder-sms' });
    expect(stepWithVariant(step, '5 % off')).toMatchObject({ templates: step.templates, discountPct: 5 });
    expect(stepWithVariant(step, 'gone')).toBe(step);
    expect(stepWithVariant(step, null)).toBe(step);
  });

  it('promoting the winner makes its changes the step defaults and ends the test', () => {
    expect(promoteVariant(step, 'short subject')).toEqual({ delayMinutes: 60, channels: ['email', 'sms'], templates: { email: 'reminder-email-short', sms: 'reminder-sms' }, variants: null });
    expect(promoteVariant(step, '5 % off')).toMatchObject({ discountPct: 5, variants: null });
  });

  it('keeps a fixed offer within what the rules allow the shopper', () => {
    expect(fixedOfferPercent([0, 5, 10, 15], 10)).toBe(10);
    expect(fixedOfferPercent([0, 5, 10, 15], 12)).toBe(10);
    expect(fixedOfferPercent([0], 10)).toBe(0);
  });
});
