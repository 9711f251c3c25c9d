/**
 * Quiet hours: the local hours during which a campaign sends nothing, on any channel.
 *
 * `{ start: "21:00", end: "08:00" }` means quiet from 21:00 (inclusive) until 08:00 (exclusive), recipient
 * local time; the window may wrap midnight or not (`{ start: "12:00", end: "14:00" }` keeps lunch free).
 * start === end means no quiet hours; 00:00–24:00 (never send) is refused. Quiet hours are wall-clock hours: CAMPAIGN_TIME_SCALE never shrinks them.
 */
import { isInWindow, nextInstantInWindow, parseClock, type ClockWindow } from './local-time';
import type { QuietHours } from './types';

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '08:00' };

/** Quiet hours as the window in which sending is allowed: [end, start). */
export function allowedWindow(quiet: QuietHours): ClockWindow {
  if (parseClock(quiet.start) === 0 && parseClock(quiet.end) === 24 * 60) throw new RangeError('quiet hours cannot cover the whole day');
  return { start: quiet.end, end: quiet.start };
}

/** Is `t` inside the quiet hours, in the recipient's zone (unknown zone → UTC)? */
export function isQuietAt(t: Date, quiet: QuietHours, timeZone: string | null | undefined): boolean {
  return !isInWindow(t, allowedWindow(quiet), timeZone);
}

/** The earliest instant ≥ t outside the quiet hours (DST-correct: see local-time.ts). */
export function nextAllowedTime(t: Date, quiet: QuietHours, timeZone: string | null | undefined): Date {
  return nextInstantInWindow(t, allowedWindow(quiet), timeZone);
}
