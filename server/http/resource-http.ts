import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import type { z } from 'zod';
import { zodProblems, type CampaignInputProblem } from '../../campaigns/campaign-schema';

export type Problem = CampaignInputProblem;

/**
 * A 400 naming every problem by its field path: `problems` for programs, `errors` ({ field: message }) for
 * react-admin forms, which show each message under its input. Unknown
 * fields reported at their own path.
 */
export function invalidRequest(problems: Problem[]): BadRequestException {
  return new BadRequestException({
    error: 'invalid_request',
    message: problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '),
    problems,
    // One message per field: the first, which is the field's own (a cross-field rule comes after).
    errors: Object.fromEntries(problems.filter((p) => p.path).reverse().map((p) => [p.path, p.message])),
  });
}

/** The body checked by `schema`, or a 400 naming each problem (paths under `prefix`). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, prefix: (string | number)[] = []): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw invalidRequest(zodProblems(parsed.error, prefix));
  return parsed.data;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that must be a UUID; 400 naming `id` otherwise. */
export function uuidParam(value: string, name = 'id'): string {
  if (!UUID.test(value)) throw invalidRequest([{ path: name, message: 'must be a UUID' }]);
  return value.toLowerCase();
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A path id that is a readable key (discount rule ids, template keys); 400 naming `id` otherwise. */
export function keyParam(value: string, name = 'id'): string {
  if (!KEY.test(value)) throw invalidRequest([{ path: name, message: 'must be 1–64 letters, digits, "-" or "_", starting with a letter or digit' }]);
  return value;
}

export function notFound(what: string, id: string): NotFoundException {
  return new NotFoundException({ error: 'not_found', message: `no ${what} ${id}` });
}

export function versionConflict(what: string, currentVersion: number): ConflictException {
  return new ConflictException({
    error: 'version_conflict',
    message: `the ${what} was changed by someone else (now version ${currentVersion}); reload it and apply your change again`,
    currentVersion,
  });
}

/** A `PUT` body without the read-only fields the API itself returned (react-admin sends the whole record back). */
export function withoutReadOnly(body: unknown, readOnly: readonly string[]): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => !readOnly.includes(key)));
}

/** The `version` a `PUT` body must carry; 400 naming it otherwise. The rest of the body is returned. */
export function takeVersion(body: unknown): { version: number; rest: unknown } {
  const record = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  const version = record?.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw invalidRequest([{ path: 'version', message: 'is required: the version the record was read at (a whole number)' }]);
  }
  const { version: _v, ...rest } = record!;
  return { version, rest };
}

/** A filter value that must be a string (or absent). */
export function stringFilter(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidRequest([{ path: `filter.${path}`, message: 'must be a string' }]);
  return value;
}

export function numberFilter(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalidRequest([{ path: `filter.${path}`, message: 'must be a number' }]);
  return n;
}

export function booleanFilter(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalidRequest([{ path: `filter.${path}`, message: 'must be true or false' }]);
}

export function dateFilter(value: unknown, path: string): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const at = typeof value === 'string' ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime())) throw invalidRequest([{ path: `filter.${path}`, message: 'must be an ISO 8601 date or time' }]);
  return at;
}

export function enumFilter<T extends string>(value: unknown, path: string, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidRequest([{ path: `filter.${path}`, message: `must be one of ${allowed.join(', ')}` }]);
  }
  return value as T;
}

/** `%value%` for ILIKE, with the pattern characters of the value taken literally. */
export function containsPattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
