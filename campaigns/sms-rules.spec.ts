import { describe, expect, it } from 'vitest';
import { SMS_WINDOW, nextSmsTime, smsRulesFor, usAreaCode } from './sms-rules';

const at = (iso: string) => new Date(iso);
const FLORIDA = ['239', '305', '321', '324', '352', '386', '407', '448', '561', '645', '656', '689', '727', '728', '754', '772', '786', '813', '850', '863', '904', '941', '954'];

describe('usAreaCode', () => {
  it('reads the area code of a +1 number', () => {
    expect(usAreaCode('+13055551234')).toBe('305');
    expect(usAreaCode('+1 (305) 555-1234')).toBe('305');
    expect(usAreaCode('+1.918.555.0100')).toBe('918');
  });

  it('returns null for other numbers', () => {
    expect(usAreaCode('+33612345678')).toBeNull();
    expect(usAreaCode('+447700900123')).toBeNull();
    expect(usAreaCode('3055551234')).toBeNull(); // not E.164
    expect(usAreaCode('+1305555123')).toBeNull(); // too short
    expect(usAreaCode(null)).toBeNull();
    expect(usAreaCode(undefined)).toBeNull();
  });
});

describe('smsRulesFor', () => {
  it('gives every number the 08:00–21:00 floor', () => {
    expect(SMS_WINDOW).toEqual({ start: '08:00', end: '21:00' });
    expect(smsRulesFor('+33612345678')).toEqual({ window: { start: '08:00', end: '21:00' } });
    expect(smsRulesFor('+12125550100')).toEqual({ window: { start: '08:00', end: '21:00' } }); // New York
    expect(smsRulesFor(null)).toEqual({ window: { start: '08:00', end: '21:00' } });
  });

  it.each(FLORIDA.filter((code) => code !== '850'))('Florida %s: 08:00–20:00, 3 per 24 h, America/New_York', (code) => {
    expect(smsRulesFor(`+1${code}5550100`)).toEqual({ window: { start: '08:00', end: '20:00' }, maxPer24h: 3, timezone: 'America/New_York', state: 'FL' });
  });

  it('Florida 850 (the western panhandle) is on Central time', () => {
    expect(smsRulesFor('+18505550100')).toEqual({ window: { start: '08:00', end: '20:00' }, maxPer24h: 3, timezone: 'America/Chicago', state: 'FL' });
  });

  it.each(['405', '539', '572', '580', '918'])('Oklahoma %s: 08:00–21:00, 3 per 24 h, America/Chicago', (code) => {
    expect(smsRulesFor(`+1${code}5550100`)).toEqual({ window: { start: '08:00', end: '21:00' }, maxPer24h: 3, timezone: 'America/Chicago', state: 'OK' });
  });

  it.each(['240', '301', '410', '443', '667'])('Maryland %s: 08:00–20:00, 3 per 24 h, America/New_York', (code) => {
    expect(smsRulesFor(`+1${code}5550100`)).toEqual({ window: { start: '08:00', end: '20:00' }, maxPer24h: 3, timezone: 'America/New_York', state: 'MD' });
  });
});

describe('nextSmsTime', () => {
  const florida = smsRulesFor('+13055550100');
  const ny = 'America/New_York';

  it('lets an SMS inside the window go as it is', () => {
    const t = at('2026-06-10T16:00:00Z'); // 12:00 EDT
    expect(nextSmsTime(t, florida, ny, [])).toEqual({ at: t, deferredBy: [] });
  });

  it('Florida: 20:30 local waits for 08:00 the next day', () => {
    expect(nextSmsTime(at('2026-06-11T00:30:00Z'), florida, ny, [])).toEqual({ at: at('2026-06-11T12:00:00Z'), deferredBy: ['sms_window'] });
  });

  it('the floor: 20:30 is fine elsewhere, 21:00 is not', () => {
    const floor = smsRulesFor('+12125550100');
    expect(nextSmsTime(at('2026-06-11T00:30:00Z'), floor, ny, [])).toEqual({ at: at('2026-06-11T00:30:00Z'), deferredBy: [] });
    expect(nextSmsTime(at('2026-06-11T01:00:00Z'), floor, ny, [])).toEqual({ at: at('2026-06-11T12:00:00Z'), deferredBy: ['sms_window'] });
    // 07:59 Paris → 08:00 Paris.
    expect(nextSmsTime(at('2026-06-11T05:59:00Z'), smsRulesFor('+33612345678'), 'Europe/Paris', [])).toEqual({
      at: at('2026-06-11T06:00:00Z'),
      deferredBy: ['sms_window'],
    });
  });

  it('Florida: a fourth SMS within 24 h waits for the oldest to be 24 h old', () => {
    const sent = [at('2026-06-10T13:00:00Z'), at('2026-06-10T15:00:00Z'), at('2026-06-10T17:00:00Z')]; // 09:00, 11:00, 13:00 EDT
    expect(nextSmsTime(at('2026-06-10T19:00:00Z'), florida, ny, sent)).toEqual({ at: at('2026-06-11T13:00:00Z'), deferredBy: ['state_daily_limit'] });
  });

  it('Florida: the daily limit and the window combine', () => {
    // Three SMS between 17:00 and 19:00 EDT; the fourth may go 24 h after the first (17:00 EDT next day).
    const sent = [at('2026-06-10T21:00:00Z'), at('2026-06-10T22:00:00Z'), at('2026-06-10T23:00:00Z')];
    // Desired 19:30 EDT is inside the window; the limit → 17:00 EDT tomorrow (21:00Z), inside the window too.
    expect(nextSmsTime(at('2026-06-10T23:30:00Z'), florida, ny, sent)).toEqual({ at: at('2026-06-11T21:00:00Z'), deferredBy: ['state_daily_limit'] });
    // Three SMS at 19:30, 19:40, 19:50 EDT: the limit lifts at 19:30 EDT next day, then the window → fine (before 20:00).
    const late = [at('2026-06-10T23:30:00Z'), at('2026-06-10T23:40:00Z'), at('2026-06-10T23:50:00Z')];
    expect(nextSmsTime(at('2026-06-11T12:00:00Z'), florida, ny, late)).toEqual({ at: at('2026-06-11T23:30:00Z'), deferredBy: ['state_daily_limit'] });
  });

  it('Florida: the limit lifting after 20:00 defers to the next morning', () => {
    const late = [at('2026-06-11T00:10:00Z'), at('2026-06-11T00:20:00Z'), at('2026-06-11T00:25:00Z')]; // 20:10–20:25 EDT (sent by someone less careful)
    expect(nextSmsTime(at('2026-06-11T12:00:00Z'), florida, ny, late)).toEqual({
      at: at('2026-06-12T12:00:00Z'), // limit lifts 20:10 EDT Jun 11, window → 08:00 EDT Jun 12
      deferredBy: ['state_daily_limit', 'sms_window'],
    });
  });

  it('the daily limit is in real hours whatever the campaign time scale', () => {
    const oklahoma = smsRulesFor('+19185550100');
    const sent = [at('2026-06-10T14:00:00Z'), at('2026-06-10T14:00:01Z'), at('2026-06-10T14:00:02Z')];
    expect(nextSmsTime(at('2026-06-10T14:00:03Z'), oklahoma, 'America/Chicago', sent).at).toEqual(at('2026-06-11T14:00:00Z'));
  });
});
