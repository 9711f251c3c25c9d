import { IngestProblem, joinPath } from './problems';

export const MAX_REQUEST_BYTES = 512 * 1024;
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_EVENTS_PER_REQUEST = 500;

/** Size and storability checks every ingested item gets, whatever its format. */
export function itemProblem(item: unknown, index: number, maxBytes = MAX_EVENT_BYTES): { status: 400 | 413; problem: IngestProblem } | undefined {
  const json = JSON.stringify(item) ?? '';
  if (Buffer.byteLength(json, 'utf8') > maxBytes) {
    return { status: 413, problem: { index, path: '', message: `event is larger than ${maxBytes / 1024} KB` } };
  }
  if (json.includes('\\u0000')) {
    return { status: 400, problem: { index, path: joinPath(findNul(item) ?? []), message: 'contains a NUL character (\\u0000), which cannot be stored' } };
  }
  return undefined;
}

/** Where a NUL character hides in a payload (PostgreSQL text and jsonb cannot hold one), or undefined. */
export function findNul(value: unknown, path: Array<string | number> = []): Array<string | number> | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key];
    const found = findNul(child, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return undefined;
}

/** A compressed body may be at most this large once decoded: the same limit as an uncompressed one. */
export const MAX_DECODED_BODY_BYTES = MAX_REQUEST_BYTES;
