/**
 * Wall-clock time in IANA time zones, with nothing but `Intl.DateTimeFormat`.
 *
 * Two questions matter to a recovery sequence: "what does the recipient's clock say at instant T?" and
 * "when, at or after T, does the recipient's clock next read a time inside [start, end)?". Both must be
 * right across daylight-saving changes:
 *  - spring forward (a gap): a local time that does not exist that day moves to the first valid instant
 *    after it, i.e. the instant the clocks jump (Paris 2026-03-29 02:30 → 03:00 CEST = 01:00Z);
 *  - fall back (an overlap): a local time that happens twice resolves to its first occurrence
 *    (New York 2026-11-01 01:30 → 01:30 EDT = 05:30Z), unless that one is already in the past.
 *
 * An unknown or absent time zone falls back to UTC. That is a guess, not knowledge: callers that know
 * better (a phone number's area code, a storefront's country) should pass their own guess instead.
 */

/** What a clock on the wall shows; `month` is 1–12. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * A daily window of local time, `[start, end)`, as "HH:MM" strings. It wraps past midnight when end < start
 * ("21:00"–"08:00"); "24:00" may end a window; start === end means the whole day.
 */
export interface ClockWindow {
  start: string;
  end: string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** How far ahead `nextInstantInWindow` looks; any window of at least a minute is reached well before. */
const SEARCH_DAYS = 8;

const formatters = new Map<string, Intl.DateTimeFormat>();
const invalidZones = new Set<string>();

/** One cached formatter per zone: creating them is the expensive part of `Intl`. */
function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  if (invalidZones.has(timeZone)) return null;
  try {
    const formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
    return formatter;
  } catch {
    invalidZones.add(timeZone); // RangeError: Invalid time zone specified
    return null;
  }
}

export function isValidTimeZone(timeZone: string | null | undefined): boolean {
  return !!timeZone && formatterFor(timeZone) !== null;
}

/** The zone itself when the runtime knows it; otherwise UTC (a fallback, see the file comment). */
export function resolveTimeZone(timeZone: string | null | undefined): string {
  return timeZone && isValidTimeZone(timeZone) ? timeZone : 'UTC';
}

/** The recipient's wall clock at `instant` (seconds precision). */
export function localDateTime(instant: Date, timeZone: string | null | undefined): LocalDateTime {
  const zone = resolveTimeZone(timeZone);
  const ms = Math.floor(instant.getTime() / 1000) * 1000;
  const offset = steadyOffset(ms, zone);
  return offset === null ? formattedLocal(new Date(ms), zone) : localOf(ms + offset);
}

function formattedLocal(instant: Date, zone: string): LocalDateTime {
  const formatter = formatterFor(zone) as Intl.DateTimeFormat;
  const local: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter.formatToParts(instant)) {
    if (part.type in local) local[part.type as keyof LocalDateTime] = Number(part.value);
  }
  if (local.hour === 24) local.hour = 0; // old ICU versions print midnight as 24 even with h23
  return local;
}

/**
 * Formatting is most of the planner's time (a quiet-hours search asks for hundreds of instants), yet a zone's offset
 * changes a few times a year. Per zone and quarter hour of UTC the offset is asked of `Intl` once, at the first and the
 * last second of the quarter: when both agree, every instant in between has it (an offset changes at most once in a
 * quarter hour); when they differ, the quarter holds a change and its instants are formatted one by one.
 */
const QUARTER_MS = 15 * MINUTE_MS;
const MAX_CACHED_QUARTERS = 200_000;
const steadyOffsets = new Map<string, number | null>();

function steadyOffset(ms: number, zone: string): number | null {
  if (zone === 'UTC') return 0;
  const quarter = Math.floor(ms / QUARTER_MS) * QUARTER_MS;
  const key = `${zone}|${quarter}`;
  const cached = steadyOffsets.get(key);
  if (cached !== undefined) return cached;
  const first = wallMs(formattedLocal(new Date(quarter), zone)) - quarter;
  const lastSecond = quarter + QUARTER_MS - 1000;
  const last = wallMs(formattedLocal(new Date(lastSecond), zone)) - lastSecond;
  if (steadyOffsets.size >= MAX_CACHED_QUARTERS) steadyOffsets.clear();
  const offset = first === last ? first : null;
  steadyOffsets.set(key, offset);
  return offset;
}

/** "HH:MM" → minutes since midnight (0–1440). Throws on anything else: a campaign must not guess. */
export function parseClock(hhmm: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || Number(match[2]) > 59 || !(minutes <= 24 * 60)) {
    throw new RangeError(`invalid local time "${hhmm}": expected HH:MM between 00:00 and 24:00`);
  }
  return minutes;
}

/** Minutes since local midnight, with seconds as a fraction. */
export function minuteOfDay(local: LocalDateTime): number {
  return local.hour * 60 + local.minute + local.second / 60;
}

/** Is a minute-of-day inside the window [start, end)? Handles windows that wrap midnight. */
export function minuteInWindow(minute: number, window: ClockWindow): boolean {
  const start = parseClock(window.start) % (24 * 60);
  const end = parseClock(window.end);
  if (start === end || (start === 0 && end === 24 * 60)) return true;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

export function isInWindow(instant: Date, window: ClockWindow, timeZone: string | null | undefined): boolean {
  return minuteInWindow(minuteOfDay(localDateTime(instant, timeZone)), window);
}

/** The wall clock read as if it were UTC, in epoch milliseconds: handy for arithmetic on local times. */
function wallMs(local: LocalDateTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
}

/** How far the zone's clock is ahead of UTC at `epochMs`. */
function offsetAt(epochMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return wallMs(localDateTime(new Date(wholeSecond), timeZone)) - wholeSecond;
}

/** The first whole second in (from, to] whose local wall time is ≥ `wall` (the wall clock must rise over it). */
function firstInstantReaching(wall: number, from: number, to: number, timeZone: string): number {
  let lo = Math.floor(from / 1000);
  let hi = Math.ceil(to / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallMs(localDateTime(new Date(mid * 1000), timeZone)) >= wall) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}

/** Every instant whose local wall time is exactly `wall`: none (a gap), one, or two (an overlap), ascending. */
function occurrencesOfWall(wall: number, timeZone: string): number[] {
  const offsets = new Set([offsetAt(wall - DAY_MS, timeZone), offsetAt(wall, timeZone), offsetAt(wall + DAY_MS, timeZone)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const candidate = wall - offset;
    if (wallMs(localDateTime(new Date(candidate), timeZone)) === wall) found.add(candidate);
  }
  return [...found].sort((a, b) => a - b);
}

/** Instants where the zone's offset changes within [from, to), found by sampling every 6 h then bisecting. */
function offsetChanges(from: number, to: number, timeZone: string): number[] {
  const changes: number[] = [];
  const step = 6 * HOUR_MS;
  for (let lo = from; lo < to; lo += step) {
    const hi = lo + step;
    const before = offsetAt(lo, timeZone);
    if (offsetAt(hi, timeZone) === before) continue;
    let a = Math.floor(lo / 1000);
    let b = Math.ceil(hi / 1000);
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (offsetAt(mid * 1000, timeZone) === before) a = mid;
      else b = mid;
    }
    changes.push(b * 1000);
  }
  return changes;
}

/**
 * The instant a wall clock in `timeZone` reads the given local time. A time skipped by a spring-forward
 * gap gives the first valid instant after it (the jump); a time repeated by a fall-back gives the first.
 */
export function instantFromLocal(local: Omit<LocalDateTime, 'second'> & { second?: number }, timeZone: string | null | undefined): Date {
  const zone = resolveTimeZone(timeZone);
  const wall = wallMs({ second: 0, ...local });
  const found = occurrencesOfWall(wall, zone);
  if (found.length > 0) return new Date(found[0]);
  // A gap: the clock jumps over `wall`. Before the jump the old offset applies, after it the new one.
  const before = offsetAt(wall - DAY_MS, zone);
  const after = offsetAt(wall + DAY_MS, zone);
  return new Date(firstInstantReaching(wall, wall - Math.max(before, after), wall - Math.min(before, after), zone));
}

/**
 * The first instant at or after `t` whose local time in `timeZone` is inside `window` (DST-correct, see the
 * file comment). Returns `t` itself when it already is.
 */
export function nextInstantInWindow(t: Date, window: ClockWindow, timeZone: string | null | undefined): Date {
  const zone = resolveTimeZone(timeZone);
  if (isInWindow(t, window, zone)) return t;
  // The clock enters the window either by ticking up to `start` or by jumping into it at a DST change.
  const start = parseClock(window.start) % (24 * 60);
  const today = localDateTime(t, zone);
  const candidates: number[] = [];
  for (let day = 0; day <= SEARCH_DAYS; day++) {
    const wall = Date.UTC(today.year, today.month - 1, today.day + day, 0, start);
    const found = occurrencesOfWall(wall, zone);
    candidates.push(...(found.length > 0 ? found : [instantFromLocal(localOf(wall), zone).getTime()]));
  }
  candidates.push(...offsetChanges(t.getTime(), t.getTime() + SEARCH_DAYS * DAY_MS, zone));
  candidates.sort((a, b) => a - b);
  for (const candidate of candidates) {
    if (candidate >= t.getTime() && isInWindow(new Date(candidate), window, zone)) return new Date(candidate);
  }
  throw new Error(`no instant within ${SEARCH_DAYS} days of ${t.toISOString()} is inside ${window.start}–${window.end} in ${zone}`);
}

function localOf(wall: number): LocalDateTime {
  const d = new Date(wall);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}
