import { describe, expect, it } from 'vitest';
import {
  instantFromLocal,
  isInWindow,
  isValidTimeZone,
  localDateTime,
  minuteInWindow,
  nextInstantInWindow,
  parseClock,
  resolveTimeZone,
} from './local-time';

const at = (iso: string) => new Date(iso);

describe('localDateTime', () => {
  it.each([
    ['Europe/Paris', '2026-07-01T12:00:00Z', { year: 2026, month: 7, day: 1, hour: 14, minute: 0, second: 0 }],
    ['Europe/Paris', '2026-01-15T12:00:00Z', { year: 2026, month: 1, day: 15, hour: 13, minute: 0, second: 0 }],
    ['America/Los_Angeles', '2026-01-15T07:59:30Z', { year: 2026, month: 1, day: 14, hour: 23, minute: 59, second: 30 }],
    ['Asia/Kolkata', '2026-01-15T00:00:00Z', { year: 2026, month: 1, day: 15, hour: 5, minute: 30, second: 0 }],
    ['Pacific/Auckland', '2026-01-15T00:00:00Z', { year: 2026, month: 1, day: 15, hour: 13, minute: 0, second: 0 }],
    ['Pacific/Auckland', '2026-07-15T00:00:00Z', { year: 2026, month: 7, day: 15, hour: 12, minute: 0, second: 0 }],
    ['UTC', '2026-03-01T00:00:00Z', { year: 2026, month: 3, day: 1, hour: 0, minute: 0, second: 0 }],
  ])('reads the wall clock in %s at %s', (zone, iso, expected) => {
    expect(localDateTime(at(iso), zone)).toEqual(expected);
  });

  it('falls back to UTC for an unknown or absent zone', () => {
    expect(localDateTime(at('2026-07-01T12:34:56Z'), 'Mars/Olympus_Mons')).toEqual({ year: 2026, month: 7, day: 1, hour: 12, minute: 34, second: 56 });
    expect(localDateTime(at('2026-07-01T12:34:56Z'), null)).toMatchObject({ hour: 12, minute: 34 });
    expect(localDateTime(at('2026-07-01T12:34:56Z'), undefined)).toMatchObject({ hour: 12, minute: 34 });
  });
});

describe('time zone resolution', () => {
  it('keeps a known zone and replaces anything else with UTC', () => {
    expect(resolveTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(resolveTimeZone('Not/AZone')).toBe('UTC');
    expect(resolveTimeZone('')).toBe('UTC');
    expect(resolveTimeZone(null)).toBe('UTC');
    expect(isValidTimeZone('Pacific/Auckland')).toBe(true);
    expect(isValidTimeZone('Pacific/Atlantis')).toBe(false);
    expect(isValidTimeZone(undefined)).toBe(false);
  });
});

describe('parseClock', () => {
  it('reads HH:MM as minutes since midnight', () => {
    expect(parseClock('00:00')).toBe(0);
    expect(parseClock('08:00')).toBe(480);
    expect(parseClock('21:30')).toBe(1290);
    expect(parseClock('8:05')).toBe(485);
    expect(parseClock('24:00')).toBe(1440);
  });

  it.each(['24:01', '25:00', '12:60', '1200', '12h00', '', 'noon'])('refuses %j', (bad) => {
    expect(() => parseClock(bad)).toThrow(/invalid local time/);
  });
});

describe('minuteInWindow', () => {
  it('treats a window as [start, end)', () => {
    const day = { start: '08:00', end: '21:00' };
    expect(minuteInWindow(479, day)).toBe(false);
    expect(minuteInWindow(480, day)).toBe(true);
    expect(minuteInWindow(1259.99, day)).toBe(true);
    expect(minuteInWindow(1260, day)).toBe(false);
  });

  it('wraps past midnight when end < start', () => {
    const night = { start: '21:00', end: '08:00' };
    expect(minuteInWindow(1260, night)).toBe(true);
    expect(minuteInWindow(0, night)).toBe(true);
    expect(minuteInWindow(479, night)).toBe(true);
    expect(minuteInWindow(480, night)).toBe(false);
    expect(minuteInWindow(720, night)).toBe(false);
  });

  it('reads start === end and 00:00–24:00 as the whole day', () => {
    expect(minuteInWindow(0, { start: '10:00', end: '10:00' })).toBe(true);
    expect(minuteInWindow(1439, { start: '00:00', end: '24:00' })).toBe(true);
  });
});

describe('instantFromLocal', () => {
  it('converts an ordinary local time', () => {
    expect(instantFromLocal({ year: 2026, month: 6, day: 1, hour: 9, minute: 0 }, 'Asia/Kolkata')).toEqual(at('2026-06-01T03:30:00Z'));
    expect(instantFromLocal({ year: 2026, month: 1, day: 15, hour: 8, minute: 0 }, 'America/Los_Angeles')).toEqual(at('2026-01-15T16:00:00Z'));
    expect(instantFromLocal({ year: 2026, month: 1, day: 15, hour: 8, minute: 0 }, 'Pacific/Auckland')).toEqual(at('2026-01-14T19:00:00Z'));
  });

  it('moves a time skipped by spring-forward to the instant the clocks jump', () => {
    // Paris 2026-03-29: 02:00 CET → 03:00 CEST at 01:00Z; 02:30 does not exist.
    expect(instantFromLocal({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Paris')).toEqual(at('2026-03-29T01:00:00Z'));
    // New York 2026-03-08: 02:00 EST → 03:00 EDT at 07:00Z.
    expect(instantFromLocal({ year: 2026, month: 3, day: 8, hour: 2, minute: 15 }, 'America/New_York')).toEqual(at('2026-03-08T07:00:00Z'));
  });

  it('resolves a time repeated by fall-back to its first occurrence', () => {
    // Paris 2026-10-25: 03:00 CEST → 02:00 CET at 01:00Z; 02:30 happens at 00:30Z and at 01:30Z.
    expect(instantFromLocal({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Paris')).toEqual(at('2026-10-25T00:30:00Z'));
    // New York 2026-11-01: 02:00 EDT → 01:00 EST at 06:00Z; 01:30 happens at 05:30Z and 06:30Z.
    expect(instantFromLocal({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York')).toEqual(at('2026-11-01T05:30:00Z'));
  });

  it('uses UTC for an unknown zone', () => {
    expect(instantFromLocal({ year: 2026, month: 6, day: 1, hour: 9, minute: 0 }, 'Nowhere/Special')).toEqual(at('2026-06-01T09:00:00Z'));
  });
});

describe('nextInstantInWindow', () => {
  const day = { start: '08:00', end: '21:00' };

  it('returns the instant itself when it is inside the window', () => {
    const t = at('2026-07-01T12:00:00.250Z');
    expect(nextInstantInWindow(t, day, 'Europe/Paris')).toBe(t);
  });

  it('waits for the window to open later the same local day', () => {
    // 06:10 CEST → 08:00 CEST.
    expect(nextInstantInWindow(at('2026-07-01T04:10:00Z'), day, 'Europe/Paris')).toEqual(at('2026-07-01T06:00:00Z'));
  });

  it('waits until the next local day once the window has closed', () => {
    // 21:00 PST on Jan 14 is outside (end is exclusive) → 08:00 PST on Jan 15.
    expect(nextInstantInWindow(at('2026-01-15T05:00:00Z'), day, 'America/Los_Angeles')).toEqual(at('2026-01-15T16:00:00Z'));
  });

  it('handles a window that wraps midnight', () => {
    const night = { start: '22:00', end: '06:00' };
    // 12:00 IST → 22:00 IST the same day.
    expect(nextInstantInWindow(at('2026-06-01T06:30:00Z'), night, 'Asia/Kolkata')).toEqual(at('2026-06-01T16:30:00Z'));
    // 23:00 IST is inside.
    expect(nextInstantInWindow(at('2026-06-01T17:30:00Z'), night, 'Asia/Kolkata')).toEqual(at('2026-06-01T17:30:00Z'));
  });

  it('crosses the local date line correctly in Auckland', () => {
    // 2026-01-14T09:00Z is 22:00 NZDT on Jan 14 → 08:00 NZDT on Jan 15 = 2026-01-14T19:00Z.
    expect(nextInstantInWindow(at('2026-01-14T09:00:00Z'), day, 'Pacific/Auckland')).toEqual(at('2026-01-14T19:00:00Z'));
  });

  it('enters a window whose start is skipped by spring-forward at the jump', () => {
    // Paris, 01:00 CET on 2026-03-29, window opens at 02:30 (does not exist) → 03:00 CEST = 01:00Z.
    expect(nextInstantInWindow(at('2026-03-29T00:00:00Z'), { start: '02:30', end: '06:00' }, 'Europe/Paris')).toEqual(at('2026-03-29T01:00:00Z'));
  });

  it('skips a day whose whole window falls inside the spring-forward gap', () => {
    // 02:00–02:45 never happens in Paris on 2026-03-29: the next is 02:00 CEST on 2026-03-30 = 00:00Z.
    expect(nextInstantInWindow(at('2026-03-28T23:30:00Z'), { start: '02:00', end: '02:45' }, 'Europe/Paris')).toEqual(at('2026-03-30T00:00:00Z'));
  });

  it('takes the first occurrence of a repeated time at fall-back', () => {
    // Paris, 01:00 CEST on 2026-10-25; 02:30 first happens at 00:30Z (CEST).
    expect(nextInstantInWindow(at('2026-10-24T23:00:00Z'), { start: '02:30', end: '06:00' }, 'Europe/Paris')).toEqual(at('2026-10-25T00:30:00Z'));
  });

  it('takes the second occurrence when the first is already past', () => {
    // Paris, 02:05 CET (second pass through 02:xx) on 2026-10-25 → 02:30 CET = 01:30Z.
    expect(nextInstantInWindow(at('2026-10-25T01:05:00Z'), { start: '02:30', end: '06:00' }, 'Europe/Paris')).toEqual(at('2026-10-25T01:30:00Z'));
  });

  it('enters a window when fall-back sets the clock back into it', () => {
    // New York, 01:45 EDT on 2026-11-01; at 06:00Z the clock reads 01:00 EST, inside 00:30–01:30.
    expect(nextInstantInWindow(at('2026-11-01T05:45:00Z'), { start: '00:30', end: '01:30' }, 'America/New_York')).toEqual(at('2026-11-01T06:00:00Z'));
  });

  it('is inside the window by local time, not UTC', () => {
    expect(isInWindow(at('2026-01-15T03:00:00Z'), day, 'Asia/Kolkata')).toBe(true); // 08:30 IST
    expect(isInWindow(at('2026-01-15T03:00:00Z'), day, 'Europe/Paris')).toBe(false); // 04:00 CET
    expect(isInWindow(at('2026-01-15T03:00:00Z'), day, 'Bogus/Zone')).toBe(false); // 03:00 UTC
  });
});

describe('localDateTime with cached offsets', () => {
  const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kathmandu', 'America/St_Johns', 'Europe/London', 'America/Santiago', 'UTC'];
  const intl = (instant: Date, zone: string) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(instant);
    const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') };
  };

  it('reads every instant as Intl does, across DST changes (half-hour and 45-minute zones included)', () => {
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (const zone of zones) {
      for (let i = 0; i < 1500; i++) {
        const instant = new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 365 * 86_400_000));
        expect(localDateTime(instant, zone)).toEqual(intl(instant, zone));
      }
      // Around each of the zone's changes of 2026, second by second for the minutes about it.
      for (let day = 0; day < 365; day++) {
        const at = Date.UTC(2026, 0, 1) + day * 86_400_000;
        if (intl(new Date(at), zone).hour === intl(new Date(at + 86_400_000), zone).hour) continue;
        for (let t = at; t < at + 86_400_000; t += 15 * 60_000) {
          for (const edge of [t - 1000, t, t + 1000, t + 7 * 60_000]) expect(localDateTime(new Date(edge), zone)).toEqual(intl(new Date(edge), zone));
        }
      }
    }
  });
});
