import { describe, expect, it } from 'vitest';
import { isCurrencyCode, isE164Phone, isLocale, isTimezone, timestamp } from './field-rules';

const now = () => Date.parse('2026-11-26T12:00:00Z');

describe('field rules', () => {
  it('accepts ISO 8601 instants with an offset and reads them as UTC', () => {
    expect(timestamp(now).parse('2026-11-26T10:00:00+02:00').toISOString()).toBe('2026-11-26T08:00:00.000Z');
    expect(timestamp(now).parse('2026-11-26T10:00Z').toISOString()).toBe('2026-11-26T10:00:00.000Z');
  });

  it('refuses days and times that do not exist instead of rolling them over', () => {
    for (const bad of ['2026-02-30T10:00:00Z', '2026-13-01T00:00:00Z', '2026-11-26T24:00:00Z', '2026-11-26T10:60:00Z', '2025-02-29T00:00:00Z']) {
      expect(timestamp(now).safeParse(bad).success, bad).toBe(false);
    }
    expect(timestamp(now).safeParse('2024-02-29T00:00:00Z').success).toBe(true);
  });

  it('refuses instants without an offset, and more than a day ahead', () => {
    expect(timestamp(now).safeParse('2026-11-26T10:00:00').success).toBe(false);
    expect(timestamp(now).safeParse('2026-11-27T12:00:01Z').success).toBe(false);
    expect(timestamp(now).safeParse('2026-11-27T11:59:59Z').success).toBe(true);
  });

  it('knows currencies, time zones, locales and phone numbers', () => {
    expect([isCurrencyCode('EUR'), isCurrencyCode('eur'), isCurrencyCode('XYZ')]).toEqual([true, false, false]);
    expect([isTimezone('Europe/Paris'), isTimezone('UTC'), isTimezone('Mars/Olympus')]).toEqual([true, true, false]);
    expect([isLocale('fr-FR'), isLocale('not a locale')]).toEqual([true, false]);
    expect([isE164Phone('+14155552671'), isE164Phone('4155552671'), isE164Phone('+1415555')]).toEqual([true, false, false]);
  });
});

describe('timestamp rule on garbage', () => {
  it('reports a format problem, once, for text that is not a timestamp', () => {
    const result = timestamp(now).safeParse('yesterday');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['must be an ISO 8601 timestamp with a time zone offset, such as "2026-11-26T14:03:00Z"']);
  });
});
