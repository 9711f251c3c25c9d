/**
 * The frequency cap: how often one customer may hear from us, across every campaign.
 *
 * Defaults: at most 3 recovery messages in any 7 days, and never two within 12 hours. The cap DEFERS a
 * message to the first moment it fits; it never drops one (expiry, checked by the planner, does that).
 *
 * What counts: every message in the history the caller passes (sent, being sent, or planned, from any
 * campaign), except those that failed: a message the provider rejected never reached the customer.
 * Planned messages later than the desired time count too: "never two within 12 h" holds both ways.
 *
 * Windows and gaps are campaign time, so they scale with CAMPAIGN_TIME_SCALE (0.001 turns 12 h into 43.2 s).
 */
import type { FrequencyCap, SentMessage } from './types';

export const DEFAULT_FREQUENCY_CAP: FrequencyCap = { maxMessages: 3, windowHours: 168, minGapHours: 12 };

export type CapRule = 'frequency_cap' | 'min_gap';

export interface CapResult {
  /** The earliest time ≥ the desired one that both rules allow. */
  at: Date;
  /** The rules that moved it, in the order they first applied (empty when `at` is the desired time). */
  deferredBy: CapRule[];
}

const HOUR_MS = 3_600_000;

/** A failed message never reached the customer, so it does not use up their patience. */
export function countsTowardCap(message: Pick<SentMessage, 'failed'>): boolean {
  return message.failed !== true;
}

/**
 * The earliest time ≥ t that is at least `gapMs` away from every time in `times` (before or after).
 * A time exactly `gapMs` away is allowed.
 */
export function earliestAfterGap(times: readonly Date[], t: Date, gapMs: number): Date {
  if (!(gapMs > 0)) return t;
  const sorted = times.map((d) => d.getTime()).sort((a, b) => a - b);
  let at = t.getTime();
  // Ascending order: once `at` clears a message it can only move later, past the following ones.
  for (const x of sorted) if (Math.abs(at - x) < gapMs) at = x + gapMs;
  return new Date(at);
}

/**
 * The earliest time ≥ t such that no window of `windowMs` holds more than `maxCount` messages once one is
 * added at that time. A message exactly `windowMs` earlier has left the window.
 */
export function earliestUnderLimit(times: readonly Date[], t: Date, maxCount: number, windowMs: number): Date {
  const max = Math.max(1, Math.floor(maxCount)); // below 1 would mean "never": the cap defers, it does not drop
  if (!(windowMs > 0)) return t;
  const sorted = times.map((d) => d.getTime()).sort((a, b) => a - b);
  let at = t.getTime();
  for (;;) {
    // Too many iff some `max` consecutive messages, together with `at`, span less than a window;
    // escaping such a group takes waiting until its first message has left the window.
    let escape = -Infinity;
    for (let j = 0; j + max <= sorted.length; j++) {
      const first = sorted[j];
      const last = sorted[j + max - 1];
      if (Math.max(last, at) - Math.min(first, at) < windowMs) escape = Math.max(escape, first + windowMs);
    }
    if (escape === -Infinity) return new Date(at);
    at = escape;
  }
}

/** The next time ≥ t the customer's cap allows, and which rule(s) deferred it. */
export function nextAllowedByCap(
  history: ReadonlyArray<Pick<SentMessage, 'at' | 'failed'>>,
  t: Date,
  cap: FrequencyCap,
  timeScale = 1,
): CapResult {
  const times = history.filter(countsTowardCap).map((m) => m.at);
  const gapMs = cap.minGapHours * HOUR_MS * timeScale;
  const windowMs = cap.windowHours * HOUR_MS * timeScale;
  const deferredBy: CapRule[] = [];
  let at = t;
  // Each rule only moves time forward and both settle once past the last message: a fixed point is near.
  for (;;) {
    const afterGap = earliestAfterGap(times, at, gapMs);
    if (afterGap > at && !deferredBy.includes('min_gap')) deferredBy.push('min_gap');
    const underLimit = earliestUnderLimit(times, afterGap, cap.maxMessages, windowMs);
    if (underLimit > afterGap && !deferredBy.includes('frequency_cap')) deferredBy.push('frequency_cap');
    if (underLimit.getTime() === at.getTime()) return { at, deferredBy };
    at = underLimit;
  }
}
