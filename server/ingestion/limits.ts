import { jsonLimitProblem } from '../http/json-limits';
import { IngestProblem } from './problems';

export const MAX_REQUEST_BYTES = 512 * 1024;
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_EVENTS_PER_REQUEST = 500;

/** Size and storability checks every ingested item gets, whatever its format. */
export function itemProblem(item: unknown, index: number, maxBytes = MAX_EVENT_BYTES): { status: 400 | 413; problem: IngestProblem } | undefined {
  // Depth and string validity first, iteratively: JSON.stringify of a deeply nested item overflows the stack.
  const limit = jsonLimitProblem(item);
  if (limit) return { status: 400, problem: { index, path: limit.path, message: limit.message } };
  const json = JSON.stringify(item) ?? '';
  if (Buffer.byteLength(json, 'utf8') > maxBytes) {
    return { status: 413, problem: { index, path: '', message: `event is larger than ${maxBytes / 1024} KB` } };
  }
  return undefined;
}

/** A compressed body may be at most this large once decoded: the same limit as an uncompressed one. */
export const MAX_DECODED_BODY_BYTES = MAX_REQUEST_BYTES;
