/**
 * Limits every parsed request body meets before any route reads it: a bounded nesting depth (deeper JSON made
 * our own recursive code overflow the stack and answer 500) and strings PostgreSQL's jsonb can store (no lone
 * UTF-16 surrogate, no U+0000; either one made the insert fail with a 500 that a retrying client retried forever).
 * The walk is iterative, so hostile input cannot overflow it either.
 */

/** Objects and arrays inside one another, the body itself counting as level 1. */
export const MAX_JSON_DEPTH = 32;

export interface JsonLimitProblem {
  /** Where, as `cart.items[0].name` (long paths and keys shortened). */
  path: string;
  message: string;
}

/** Segments shown of a path that goes deeper than the limit: enough to recognise it, short enough to read. */
const SHOWN_SEGMENTS = 8;
const SHOWN_KEY_CHARS = 40;

interface Frame {
  value: unknown;
  depth: number;
  key: string | number | null;
  parent: Frame | null;
}

/** The first problem found in a parsed body, or undefined when it is within the limits. */
export function jsonLimitProblem(body: unknown, maxDepth = MAX_JSON_DEPTH): JsonLimitProblem | undefined {
  const stack: Frame[] = [{ value: body, depth: 0, key: null, parent: null }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value } = frame;
    if (typeof value === 'string') {
      const reason = stringProblem(value);
      if (reason) return { path: pathOf(frame), message: reason };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const depth = frame.depth + 1;
    if (depth > maxDepth) return { path: pathOf(frame, true), message: `is nested deeper than ${maxDepth} levels of objects and arrays` };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth, key: i, parent: frame });
      continue;
    }
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      const childFrame: Frame = { value: child, depth, key, parent: frame };
      const keyReason = stringProblem(key);
      if (keyReason) return { path: pathOf(childFrame), message: `the key ${keyReason}` };
      stack.push(childFrame);
    }
  }
  return undefined;
}

/** Why a string cannot be stored, or undefined. */
export function stringProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (!isWellFormed(value)) return 'contains a lone UTF-16 surrogate (such as \\ud800), which is not valid Unicode';
  return undefined;
}

// Node 20 has String.prototype.isWellFormed; the regular expression is the fallback for older runtimes.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
function isWellFormed(value: string): boolean {
  const native = (value as { isWellFormed?: () => boolean }).isWellFormed;
  return typeof native === 'function' ? native.call(value) : !LONE_SURROGATE.test(value);
}

function pathOf(frame: Frame, truncate = false): string {
  const segments: Array<string | number> = [];
  for (let f: Frame | null = frame; f && f.key !== null; f = f.parent) segments.push(f.key);
  segments.reverse();
  const shown = truncate && segments.length > SHOWN_SEGMENTS ? segments.slice(0, SHOWN_SEGMENTS) : segments;
  const text = shown
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const key = segment.length > SHOWN_KEY_CHARS ? `${segment.slice(0, SHOWN_KEY_CHARS)}…` : segment;
      return i === 0 ? key : `.${key}`;
    })
    .join('');
  return shown.length < segments.length ? `${text}…` : text;
}
