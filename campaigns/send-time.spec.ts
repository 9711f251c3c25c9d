import { describe, expect, it } from 'vitest';
import { DEFAULT_FREQUENCY_CAP } from './frequency-cap';
import { nextSendTime, recipientTimeZone, type SendTimeInput } from './send-time';
import type { SentMessage } from './types';

const at = (iso: string) => new Date(iso);
const other = (iso: string, channel: SentMessage['channel'] = 'email'): SentMessage => ({
  channel,
  at: at(iso),
  campaignId: 'c-other',
  checkoutId: 'k-other',
  stepIndex: 0,
});
const base: SendTimeInput = {
  due: at('2026-11-26T11:00:00Z'), // 12:00 in Paris
  channel: 'email',
  quietHours: { start: '21:00', end: '08:00' },
  frequencyCap: DEFAULT_FREQUENCY_CAP,
  recipient: { timezone: 'Europe/Paris', phone: '+33612345678' },
  history: [],
  timeScale: 1,
};

describe('recipientTimeZone', () => {
  it("uses the recipient's zone when valid", () => {
    expect(recipientTimeZone({ timezone: 'Asia/Kolkata', phone: '+13055550100' })).toBe('Asia/Kolkata');
  });

  it('infers the zone from a Florida, Oklahoma or Maryland number otherwise', () => {
    expect(recipientTimeZone({ timezone: null, phone: '+13055550100' })).toBe('America/New_York');
    expect(recipientTimeZone({ timezone: 'Invalid/Zone', phone: '+18505550100' })).toBe('America/Chicago');
    expect(recipientTimeZone({ phone: '+19185550100' })).toBe('America/Chicago');
    expect(recipientTimeZone({ phone: '+14105550100' })).toBe('America/New_York');
  });

  it('falls back to UTC', () => {
    expect(recipientTimeZone({ timezone: null, phone: '+12125550100' })).toBe('UTC');
    expect(recipientTimeZone({ timezone: null, phone: null })).toBe('UTC');
  });
});

describe('nextSendTime', () => {
  it('keeps a due time every rule allows', () => {
    expect(nextSendTime(base)).toEqual({ at: at('2026-11-26T11:00:00Z'), deferredBy: [] });
  });

  it('quiet hours then the gap then quiet hours again (fixed point)', () => {
    // Due 22:30 Paris → 08:00 (07:00Z); another campaign planned 09:00 Paris → gap → 21:00 Paris, quiet → 08:00 next day.
    const r = nextSendTime({ ...base, due: at('2026-11-26T21:30:00Z'), history: [other('2026-11-27T08:00:00Z')] });
    expect(r).toEqual({ at: at('2026-11-28T07:00:00Z'), deferredBy: ['quiet_hours', 'min_gap'] });
  });

  it('the gap pushes into quiet hours, which push to the morning', () => {
    const r = nextSendTime({ ...base, history: [other('2026-11-26T10:30:00Z')] });
    expect(r).toEqual({ at: at('2026-11-27T07:00:00Z'), deferredBy: ['min_gap', 'quiet_hours'] });
  });

  it('an SMS obeys the 08:00–21:00 floor even when quiet hours are looser', () => {
    const r = nextSendTime({ ...base, channel: 'sms', quietHours: { start: '23:00', end: '06:00' }, due: at('2026-11-26T20:30:00Z') });
    expect(r).toEqual({ at: at('2026-11-27T07:00:00Z'), deferredBy: ['sms_window'] });
    // An email at the same moment goes (21:30 is outside these quiet hours).
    expect(nextSendTime({ ...base, quietHours: { start: '23:00', end: '06:00' }, due: at('2026-11-26T20:30:00Z') }).at).toEqual(at('2026-11-26T20:30:00Z'));
  });

  it('Florida: SMS window, inferred zone and state limit together', () => {
    const florida = { timezone: null, phone: '+13055550100' };
    const cap = { maxMessages: 10, windowHours: 168, minGapHours: 0 };
    // 20:15 EDT: past Florida's 20:00 → 08:00 EDT (12:00Z).
    expect(nextSendTime({ ...base, channel: 'sms', recipient: florida, frequencyCap: cap, due: at('2026-06-11T00:15:00Z') })).toEqual({
      at: at('2026-06-11T12:00:00Z'),
      deferredBy: ['sms_window'],
    });
    // Three SMS already today → the fourth waits until the first is 24 h old.
    const sms = [other('2026-06-10T13:00:00Z', 'sms'), other('2026-06-10T14:00:00Z', 'sms'), other('2026-06-10T15:00:00Z', 'sms')];
    expect(nextSendTime({ ...base, channel: 'sms', recipient: florida, frequencyCap: cap, history: sms, due: at('2026-06-10T16:00:00Z') })).toEqual({
      at: at('2026-06-11T13:00:00Z'),
      deferredBy: ['state_daily_limit'],
    });
    // Emails do not count toward the state's SMS limit, and emails are not bound by the SMS window.
    const emails = sms.map((m) => ({ ...m, channel: 'email' as const }));
    expect(nextSendTime({ ...base, channel: 'sms', recipient: florida, frequencyCap: cap, history: emails, due: at('2026-06-10T16:00:00Z') }).at).toEqual(
      at('2026-06-10T16:00:00Z'),
    );
    expect(nextSendTime({ ...base, channel: 'email', recipient: florida, frequencyCap: cap, due: at('2026-06-11T00:15:00Z') }).at).toEqual(at('2026-06-11T00:15:00Z'));
  });

  it('failed SMS count toward neither the cap nor the state limit', () => {
    const florida = { timezone: null, phone: '+13055550100' };
    const failed = ['13:00', '14:00', '15:00'].map((hm) => ({ ...other(`2026-06-10T${hm}:00Z`, 'sms'), failed: true }));
    expect(nextSendTime({ ...base, channel: 'sms', recipient: florida, history: failed, due: at('2026-06-10T16:00:00Z') })).toEqual({
      at: at('2026-06-10T16:00:00Z'),
      deferredBy: [],
    });
  });

  it('returns null when nothing fits before the deadline', () => {
    const r = nextSendTime({ ...base, history: [other('2026-11-26T10:30:00Z')], deadline: at('2026-11-26T20:00:00Z') });
    expect(r).toEqual({ at: null, deferredBy: ['min_gap'] }); // 22:30Z is already past the deadline
  });

  it('a send time exactly at the deadline is too late', () => {
    expect(nextSendTime({ ...base, deadline: base.due }).at).toBeNull();
  });

  it('gives up when quiet hours and the SMS window never overlap', () => {
    // Quiet 07:00–22:00 leaves 22:00–07:00; SMS only 08:00–21:00: no SMS can ever go.
    const r = nextSendTime({ ...base, channel: 'sms', quietHours: { start: '07:00', end: '22:00' }, deadline: at('2026-12-03T11:00:00Z') });
    expect(r.at).toBeNull();
    expect(r.deferredBy).toEqual(['quiet_hours', 'sms_window']);
  });
});
