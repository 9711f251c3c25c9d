import { describe, expect, it } from 'vitest';
import { DEFAULT_FREQUENCY_CAP, earliestAfterGap, earliestUnderLimit, nextAllowedByCap } from './frequency-cap';
import type { SentMessage } from './types';

const at = (iso: string) => new Date(iso);
const H = 3_600_000;
const T0 = at('2026-05-04T09:00:00Z');
const plus = (hours: number, from = T0) => new Date(from.getTime() + hours * H);

function sent(hours: number, extra: Partial<SentMessage> = {}): SentMessage {
  return { channel: 'email', at: plus(hours), campaignId: 'c1', checkoutId: 'k1', stepIndex: 0, ...extra };
}

describe('earliestAfterGap', () => {
  it('keeps a time far enough from every message', () => {
    expect(earliestAfterGap([plus(0)], plus(12), 12 * H)).toEqual(plus(12));
    expect(earliestAfterGap([], plus(1), 12 * H)).toEqual(plus(1));
  });

  it('moves a time too close after a message to message + gap', () => {
    expect(earliestAfterGap([plus(0)], plus(1), 12 * H)).toEqual(plus(12));
  });

  it('moves a time too close before a planned message past it', () => {
    expect(earliestAfterGap([plus(5)], plus(0), 12 * H)).toEqual(plus(17));
  });

  it('chains through several messages', () => {
    expect(earliestAfterGap([plus(0), plus(20), plus(8)], plus(1), 12 * H)).toEqual(plus(32));
  });

  it('ignores a gap of zero', () => {
    expect(earliestAfterGap([plus(0)], plus(0), 0)).toEqual(plus(0));
  });
});

describe('earliestUnderLimit', () => {
  it('lets a message through while the window holds fewer than the limit', () => {
    expect(earliestUnderLimit([plus(0), plus(1)], plus(2), 3, 24 * H)).toEqual(plus(2));
  });

  it('waits for the oldest message of a full window to leave it', () => {
    expect(earliestUnderLimit([plus(0), plus(1), plus(2)], plus(3), 3, 24 * H)).toEqual(plus(24));
  });

  it('counts a message exactly one window old as gone', () => {
    expect(earliestUnderLimit([plus(0), plus(1), plus(2)], plus(24), 3, 24 * H)).toEqual(plus(24));
  });

  it('counts planned messages after the time as well', () => {
    // Three planned within the next 10 h: a fourth now would put four in one window.
    expect(earliestUnderLimit([plus(4), plus(6), plus(10)], plus(0), 3, 24 * H)).toEqual(plus(28));
  });

  it('treats a limit below 1 as 1 (defer, never drop)', () => {
    expect(earliestUnderLimit([plus(0)], plus(1), 0, 24 * H)).toEqual(plus(24));
  });
});

describe('nextAllowedByCap', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_FREQUENCY_CAP).toEqual({ maxMessages: 3, windowHours: 168, minGapHours: 12 });
  });

  it('allows the desired time when nothing is in the way', () => {
    expect(nextAllowedByCap([sent(0)], plus(24), DEFAULT_FREQUENCY_CAP)).toEqual({ at: plus(24), deferredBy: [] });
  });

  it('never two within 12 h', () => {
    expect(nextAllowedByCap([sent(0)], plus(1), DEFAULT_FREQUENCY_CAP)).toEqual({ at: plus(12), deferredBy: ['min_gap'] });
  });

  it('at most 3 in 7 days', () => {
    const history = [sent(0), sent(24), sent(48)];
    expect(nextAllowedByCap(history, plus(72), DEFAULT_FREQUENCY_CAP)).toEqual({ at: plus(168), deferredBy: ['frequency_cap'] });
  });

  it('reports both rules when both defer, in the order they applied', () => {
    const history = [sent(0), sent(13), sent(26)];
    expect(nextAllowedByCap(history, plus(30), DEFAULT_FREQUENCY_CAP)).toEqual({ at: plus(168), deferredBy: ['min_gap', 'frequency_cap'] });
  });

  it('re-checks the gap after the window moved the time (fixed point)', () => {
    // At most 2 a day, 12 h apart. T0+17 h is 12 h after T0+5 h, but T0..T0+5 h fills that day: → T0+24 h,
    // which is 6 h before a message another campaign planned at T0+30 h: → T0+42 h.
    const cap = { maxMessages: 2, windowHours: 24, minGapHours: 12 };
    const history = [sent(0), sent(5), sent(30, { campaignId: 'c2', checkoutId: 'k2' })];
    expect(nextAllowedByCap(history, plus(17), cap)).toEqual({ at: plus(42), deferredBy: ['frequency_cap', 'min_gap'] });
  });

  it('counts a planned future message in every window it falls in', () => {
    // 0, 24, 48 fill the week until T0+168 h, but then 24, 48 and the planned 170 fill it until T0+192 h.
    const history = [sent(0), sent(24), sent(48), sent(170, { campaignId: 'c2', checkoutId: 'k2' })];
    expect(nextAllowedByCap(history, plus(72), DEFAULT_FREQUENCY_CAP)).toEqual({ at: plus(192), deferredBy: ['frequency_cap'] });
  });

  it('counts messages from every campaign and checkout', () => {
    const history = [sent(0, { campaignId: 'c1' }), sent(30, { campaignId: 'c2', checkoutId: 'k2' }), sent(60, { campaignId: 'c3', checkoutId: 'k3' })];
    expect(nextAllowedByCap(history, plus(80), DEFAULT_FREQUENCY_CAP).at).toEqual(plus(168));
  });

  it('does not count failed messages', () => {
    expect(nextAllowedByCap([sent(0, { failed: true })], plus(1), DEFAULT_FREQUENCY_CAP)).toEqual({ at: plus(1), deferredBy: [] });
  });

  it('scales windows and gaps with timeScale', () => {
    const scale = 0.001; // 12 h → 43.2 s, 168 h → 604.8 s
    const t0 = at('2026-05-04T09:00:00Z');
    const s = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    const history = [{ at: s(0) }];
    expect(nextAllowedByCap(history, s(10), DEFAULT_FREQUENCY_CAP, scale)).toEqual({ at: s(43.2), deferredBy: ['min_gap'] });
    const full = [{ at: s(0) }, { at: s(50) }, { at: s(100) }];
    expect(nextAllowedByCap(full, s(150), DEFAULT_FREQUENCY_CAP, scale)).toEqual({ at: s(604.8), deferredBy: ['frequency_cap'] });
  });

  it('honours a custom cap', () => {
    const cap = { maxMessages: 1, windowHours: 24, minGapHours: 0 };
    expect(nextAllowedByCap([sent(0)], plus(5), cap)).toEqual({ at: plus(24), deferredBy: ['frequency_cap'] });
  });
});
