/**
 * Conversion windows a funnel can be asked for. The rollups keep, per step, which of these the delay since the
 * previous step fell into, so any combination of windows is answered from them without touching raw rows.
 */
export const WINDOWS = ['5m', '15m', '1h', '6h', '1d', '3d', '7d'] as const;
export type FunnelWindow = (typeof WINDOWS)[number];

export const WINDOW_SECONDS: Record<FunnelWindow, number> = { '5m': 300, '15m': 900, '1h': 3600, '6h': 21_600, '1d': 86_400, '3d': 259_200, '7d': 604_800 };

/** Bucket `i + 1` holds delays within `WINDOWS[i]` (and beyond the one before); `WINDOWS.length + 1` is later than all; 0 is "not reached". */
export const LATER_THAN_ALL = WINDOWS.length + 1;

/** A window as the highest bucket it accepts. */
export function windowBucket(window: FunnelWindow): number {
  return WINDOWS.indexOf(window) + 1;
}

/** The SQL expression of a step's bucket, given its time and the previous step's (timestamptz expressions). */
export function delayBucketSql(at: string, previous: string): string {
  const delay = `extract(epoch FROM (${at}) - (${previous}))`;
  const arms = WINDOWS.map((w, i) => `WHEN ${delay} <= ${WINDOW_SECONDS[w]} THEN ${i + 1}`).join(' ');
  return `(CASE WHEN (${at}) IS NULL THEN 0 ${arms} ELSE ${LATER_THAN_ALL} END)::smallint`;
}

/** The bucket of a delay in milliseconds (0 for a step not reached), the same rule in TypeScript. */
export function delayBucket(delayMs: number | null): number {
  if (delayMs === null) return 0;
  const i = WINDOWS.findIndex((w) => delayMs <= WINDOW_SECONDS[w] * 1000);
  return i === -1 ? LATER_THAN_ALL : i + 1;
}
