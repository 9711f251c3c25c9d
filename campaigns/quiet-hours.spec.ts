import { describe, expect, it } from 'vitest';
import { DEFAULT_QUIET_HOURS, allowedWindow, isQuietAt, nextAllowedTime } from './quiet-hours';

const at = (iso: string) => new Date(iso);
const night = { start: '21:00', end: '08:00' };

describe('quiet hours 21:00–08:00 across time zones', () => {
  it.each([
    // zone, instant (local), expected earliest allowed instant (local)
    ['Europe/Paris', '2026-11-26T21:30:00Z' /* 22:30 CET */, '2026-11-27T07:00:00Z' /* 08:00 CET */],
    ['Europe/Paris', '2026-07-01T20:00:00Z' /* 22:00 CEST */, '2026-07-02T06:00:00Z' /* 08:00 CEST */],
    ['Europe/Paris', '2026-07-01T23:59:00Z' /* 01:59 CEST */, '2026-07-02T06:00:00Z'],
    ['America/Los_Angeles', '2026-01-15T06:00:00Z' /* 22:00 PST Jan 14 */, '2026-01-15T16:00:00Z' /* 08:00 PST */],
    ['America/Los_Angeles', '2026-07-15T04:30:00Z' /* 21:30 PDT Jul 14 */, '2026-07-15T15:00:00Z' /* 08:00 PDT */],
    ['Asia/Kolkata', '2026-06-01T16:00:00Z' /* 21:30 IST */, '2026-06-02T02:30:00Z' /* 08:00 IST */],
    ['Asia/Kolkata', '2026-06-01T23:00:00Z' /* 04:30 IST Jun 2 */, '2026-06-02T02:30:00Z'],
    ['Pacific/Auckland', '2026-06-01T10:00:00Z' /* 22:00 NZST */, '2026-06-01T20:00:00Z' /* 08:00 NZST Jun 2 */],
    ['Pacific/Auckland', '2026-01-14T09:00:00Z' /* 22:00 NZDT */, '2026-01-14T19:00:00Z' /* 08:00 NZDT Jan 15 */],
  ])('in %s, %s is quiet until %s', (zone, t, expected) => {
    expect(isQuietAt(at(t), night, zone)).toBe(true);
    expect(nextAllowedTime(at(t), night, zone)).toEqual(at(expected));
  });

  it.each([
    ['Europe/Paris', '2026-11-26T10:00:00Z' /* 11:00 */],
    ['America/Los_Angeles', '2026-01-15T20:00:00Z' /* 12:00 */],
    ['Asia/Kolkata', '2026-06-01T15:29:00Z' /* 20:59 */],
    ['Pacific/Auckland', '2026-06-01T08:00:00Z' /* 20:00 NZST */],
  ])('in %s, %s is not quiet and stays as it is', (zone, t) => {
    expect(isQuietAt(at(t), night, zone)).toBe(false);
    expect(nextAllowedTime(at(t), night, zone)).toEqual(at(t));
  });

  it('the same instant is quiet in one zone and not in another', () => {
    const t = at('2026-06-01T20:00:00Z');
    expect(nextAllowedTime(t, night, 'Europe/Paris')).toEqual(at('2026-06-02T06:00:00Z')); // 22:00 CEST
    expect(nextAllowedTime(t, night, 'America/Los_Angeles')).toEqual(t); // 13:00 PDT
    expect(nextAllowedTime(t, night, 'Asia/Kolkata')).toEqual(at('2026-06-02T02:30:00Z')); // 01:30 IST
    expect(nextAllowedTime(t, night, 'Pacific/Auckland')).toEqual(t); // 08:00 NZST, just reopened
  });

  it('starts at start (inclusive) and ends at end (exclusive)', () => {
    expect(isQuietAt(at('2026-11-26T20:00:00Z'), night, 'Europe/Paris')).toBe(true); // 21:00 CET
    expect(isQuietAt(at('2026-11-26T19:59:59Z'), night, 'Europe/Paris')).toBe(false); // 20:59:59
    expect(isQuietAt(at('2026-11-27T07:00:00Z'), night, 'Europe/Paris')).toBe(false); // 08:00
    expect(isQuietAt(at('2026-11-27T06:59:59Z'), night, 'Europe/Paris')).toBe(true); // 07:59:59
  });

  it('uses UTC when the zone is unknown or absent', () => {
    expect(nextAllowedTime(at('2026-11-26T22:00:00Z'), night, null)).toEqual(at('2026-11-27T08:00:00Z'));
    expect(nextAllowedTime(at('2026-11-26T22:00:00Z'), night, 'Moon/Tranquility')).toEqual(at('2026-11-27T08:00:00Z'));
  });
});

describe('quiet hours across DST changes', () => {
  it('Europe/Paris spring forward (2026-03-29): a quiet night ends at 08:00 CEST', () => {
    // 23:00 CET on Mar 28 → 08:00 CEST on Mar 29 (06:00Z), one hour earlier in UTC than the night before.
    expect(nextAllowedTime(at('2026-03-28T22:00:00Z'), night, 'Europe/Paris')).toEqual(at('2026-03-29T06:00:00Z'));
    expect(nextAllowedTime(at('2026-03-27T22:00:00Z'), night, 'Europe/Paris')).toEqual(at('2026-03-28T07:00:00Z'));
  });

  it('Europe/Paris fall back (2026-10-25): a quiet night ends at 08:00 CET', () => {
    // 22:00 CEST on Oct 24 → 08:00 CET on Oct 25 (07:00Z), one hour later in UTC than the night before.
    expect(nextAllowedTime(at('2026-10-24T20:00:00Z'), night, 'Europe/Paris')).toEqual(at('2026-10-25T07:00:00Z'));
    expect(nextAllowedTime(at('2026-10-23T20:00:00Z'), night, 'Europe/Paris')).toEqual(at('2026-10-24T06:00:00Z'));
    // In the repeated hour (02:30 CET, second pass) it is still quiet.
    expect(nextAllowedTime(at('2026-10-25T01:30:00Z'), night, 'Europe/Paris')).toEqual(at('2026-10-25T07:00:00Z'));
  });

  it('America/New_York spring forward (2026-03-08)', () => {
    // 22:00 EST on Mar 7 → 08:00 EDT on Mar 8 = 12:00Z.
    expect(nextAllowedTime(at('2026-03-08T03:00:00Z'), night, 'America/New_York')).toEqual(at('2026-03-08T12:00:00Z'));
    // 21:00 EDT on Mar 8 = 01:00Z Mar 9 is quiet again.
    expect(isQuietAt(at('2026-03-09T01:00:00Z'), night, 'America/New_York')).toBe(true);
    expect(isQuietAt(at('2026-03-09T00:59:00Z'), night, 'America/New_York')).toBe(false);
  });

  it('America/New_York fall back (2026-11-01)', () => {
    // 22:00 EDT on Oct 31 → 08:00 EST on Nov 1 = 13:00Z.
    expect(nextAllowedTime(at('2026-11-01T02:00:00Z'), night, 'America/New_York')).toEqual(at('2026-11-01T13:00:00Z'));
    // 01:30 EST (the second 01:30) is quiet too.
    expect(nextAllowedTime(at('2026-11-01T06:30:00Z'), night, 'America/New_York')).toEqual(at('2026-11-01T13:00:00Z'));
  });

  it('quiet hours ending inside the spring-forward gap end at the jump', () => {
    // Quiet 01:00–02:30 in Paris; 02:30 does not exist on 2026-03-29 → allowed from 03:00 CEST = 01:00Z.
    expect(nextAllowedTime(at('2026-03-29T00:30:00Z'), { start: '01:00', end: '02:30' }, 'Europe/Paris')).toEqual(at('2026-03-29T01:00:00Z'));
  });

  it('quiet hours ending in the repeated hour end at its first occurrence', () => {
    // Quiet 00:00–01:30 in New York; on 2026-11-01 01:30 first happens at 05:30Z (EDT).
    expect(nextAllowedTime(at('2026-11-01T04:10:00Z'), { start: '00:00', end: '01:30' }, 'America/New_York')).toEqual(at('2026-11-01T05:30:00Z'));
  });

  it('Pacific/Auckland DST changes (2026-04-05 back, 2026-09-27 forward)', () => {
    // 22:00 NZDT Apr 4 → 08:00 NZST Apr 5 = 20:00Z Apr 4.
    expect(nextAllowedTime(at('2026-04-04T09:00:00Z'), night, 'Pacific/Auckland')).toEqual(at('2026-04-04T20:00:00Z'));
    // 22:00 NZST Sep 26 → 08:00 NZDT Sep 27 = 19:00Z Sep 26.
    expect(nextAllowedTime(at('2026-09-26T10:00:00Z'), night, 'Pacific/Auckland')).toEqual(at('2026-09-26T19:00:00Z'));
  });
});

describe('quiet hours that do not wrap midnight', () => {
  const lunch = { start: '12:00', end: '14:00' };

  it('defers only inside the window', () => {
    expect(nextAllowedTime(at('2026-06-01T10:30:00Z'), lunch, 'Europe/Paris')).toEqual(at('2026-06-01T12:00:00Z')); // 12:30 → 14:00 CEST
    expect(nextAllowedTime(at('2026-06-01T09:59:00Z'), lunch, 'Europe/Paris')).toEqual(at('2026-06-01T09:59:00Z')); // 11:59
    expect(nextAllowedTime(at('2026-06-01T20:00:00Z'), lunch, 'Europe/Paris')).toEqual(at('2026-06-01T20:00:00Z')); // 22:00
  });

  it('start === end means no quiet hours', () => {
    const t = at('2026-06-01T23:00:00Z');
    expect(nextAllowedTime(t, { start: '21:00', end: '21:00' }, 'Europe/Paris')).toBe(t);
  });

  it('refuses quiet hours covering the whole day', () => {
    expect(() => allowedWindow({ start: '00:00', end: '24:00' })).toThrow(/whole day/);
  });

  it('defaults to 21:00–08:00', () => {
    expect(DEFAULT_QUIET_HOURS).toEqual(night);
  });
});
