import { randomUUID } from 'node:crypto';

export type ApiEventInput = Record<string, unknown> & { type: string };

/** An event in our `/v1/events` format with a fresh id and a recent timestamp unless given. */
export function apiEvent(event: ApiEventInput): Record<string, unknown> {
  return { event_id: randomUUID(), occurred_at: new Date().toISOString(), ...event };
}

export function bearer(key: string) {
  return { authorization: `Bearer ${key}` };
}

/** A deterministic shuffle, so a failing order can be replayed. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let s = seed >>> 0 || 1;
  for (let i = copy.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
