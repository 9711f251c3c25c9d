import { z } from 'zod';
import { identifier } from '../field-rules';
import { IngestProblem, joinPath } from '../problems';

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Segment libraries send `null` (and often `""`) for fields they have no value for. */
export const isAbsent = (value: unknown) => value === undefined || value === null || value === '';
export const textField = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/**
 * Collects the problems of one message (or of the request, with index null) into a list shared by the batch.
 * A path already at fault is reported once: the message's outer shape is checked before its details.
 */
export class Reader {
  private added = 0;
  private readonly faulty = new Set<string>();

  constructor(
    private readonly index: number | null,
    private readonly problems: IngestProblem[],
  ) {}

  /** How many problems this reader found. */
  count(): number {
    return this.added;
  }

  add(path: string, message: string) {
    if (this.faulty.has(path)) return;
    this.faulty.add(path);
    this.added++;
    this.problems.push({ index: this.index, path, message });
  }

  /** Parses with a zod schema, reporting its issues under `path`; `typeMessage` replaces zod's own for a wrong JSON type. */
  run<T>(schema: z.ZodType<T>, value: unknown, path: string, typeMessage?: string): T | undefined {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const where = joinPath([...(path ? [path] : []), ...issue.path]);
      this.add(where, typeMessage && issue.code === 'invalid_type' ? typeMessage : issue.message);
    }
    return undefined;
  }

  /** An optional string field; absent (undefined, null, "") reads as undefined. */
  text<T>(value: unknown, path: string, schema: z.ZodType<T>): T | undefined {
    if (isAbsent(value)) return undefined;
    if (typeof value !== 'string') {
      this.add(path, 'must be a string');
      return undefined;
    }
    return this.run(schema, value, path);
  }

  /** An optional identifier: a string, or a number as Segment libraries sometimes send ids. */
  id(value: unknown, path: string): string | undefined {
    if (isAbsent(value)) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value !== 'string') {
      this.add(path, 'must be a string');
      return undefined;
    }
    return this.run(identifier, value, path);
  }

  /** An optional object field; absent reads as `{}`. */
  object(value: unknown, path: string): Record<string, unknown> {
    if (isAbsent(value)) return {};
    if (isObject(value)) return value;
    this.add(path, 'must be an object');
    return {};
  }
}

/** `over` merged onto `base`, nested objects merged key by key; `over` wins. */
export function mergeUnder(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (key === '__proto__') continue;
    out[key] = isObject(value) && isObject(out[key]) ? mergeUnder(out[key] as Record<string, unknown>, value) : value;
  }
  return out;
}

export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

