/**
 * A value with the event that set it. Merging keeps the later (or, for first-touch fields, the earlier)
 * one, ties broken by event key, so the result does not depend on the order events arrive in.
 */
export interface Stamped<T> {
  value: T;
  at: number;
  by: string;
}

export function stamp<T>(value: T, at: number, by: string): Stamped<T> {
  return { value, at, by };
}

function compare(a: Stamped<unknown>, b: Stamped<unknown>): number {
  return a.at - b.at || (a.by < b.by ? -1 : a.by > b.by ? 1 : 0);
}

export function latest<T>(a: Stamped<T> | undefined, b: Stamped<T> | undefined): Stamped<T> | undefined {
  if (!a) return b;
  if (!b) return a;
  return compare(a, b) >= 0 ? a : b;
}

export function earliest<T>(a: Stamped<T> | undefined, b: Stamped<T> | undefined): Stamped<T> | undefined {
  if (!a) return b;
  if (!b) return a;
  return compare(a, b) <= 0 ? a : b;
}

export function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/**
 * The clock of a stamped value as kept in a row's `clocks` column: `<ISO 8601 time>|<event key>`.
 * ISO times have a fixed width, so comparing clocks as byte strings (SQL `COLLATE "C"`) orders them
 * by time, then by event key, exactly like `latest` and `earliest` do here.
 */
export type Clock = string;

export function clockOf(s: Stamped<unknown> | undefined): Clock | undefined {
  return s ? `${new Date(s.at).toISOString()}|${s.by}` : undefined;
}

export function restamp<T>(value: T | null | undefined, clock: Clock | undefined): Stamped<T> | undefined {
  if (value === null || value === undefined || !clock) return undefined;
  const bar = clock.indexOf('|');
  return { value, at: Date.parse(clock.slice(0, bar)), by: clock.slice(bar + 1) };
}
