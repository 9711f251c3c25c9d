import { z } from 'zod';
import type { ListQueryRules } from '../admin/http/list-query';

/**
 * Schemas of what the routes answer (their bodies are built in code, not parsed, so these describe them; the
 * OpenAPI e2e test checks real answers against them) and of the query strings read by hand.
 */

/** One thing wrong with a request. Ingestion routes always say which item (`index`, null for the request). */
export const problemSchema = z.looseObject({ index: z.number().int().nullable().optional(), path: z.string(), message: z.string() });

/** The one error shape of every JSON route: `{ error, message, problems? }` (see server/http/error-responses.ts). */
export const errorBodySchema = z
  .looseObject({
    error: z.string().meta({ description: 'A stable code: invalid_request, unauthorized, forbidden, not_found, version_conflict, …' }),
    message: z.string(),
    problems: z.array(problemSchema).optional(),
    errors: z.record(z.string(), z.string()).optional().meta({ description: 'The first problem per field, for react-admin forms.' }),
    currentVersion: z.number().int().optional().meta({ description: 'On version_conflict: the version the record is at now.' }),
  });

/** What the ingestion routes refuse a request with: every problem names its item and field. */
export const ingestErrorSchema = z
  .looseObject({
    error: z.enum(['invalid_request', 'unauthorized', 'payload_too_large']),
    message: z.string(),
    problems: z.array(z.looseObject({ index: z.number().int().nullable(), path: z.string(), message: z.string() })),
  });

export const ingestResultSchema = z.strictObject({ accepted: z.number().int().min(0), duplicates: z.number().int().min(0) });

export const shopifyResultSchema = z
  .strictObject({ accepted: z.number().int().min(0), duplicates: z.number().int().min(0), ignored: z.number().int().min(0) });

/** react-admin's list query (`ra-data-simple-rest`), from the same rules the route reads it with. */
export function listQuerySchema<F extends string, S extends string>(rules: ListQueryRules<F, S>): z.ZodObject {
  return z.object({
    filter: z
      .string()
      .optional()
      .meta({ description: `A JSON object of filters; keys: ${rules.filters.join(', ') || '(none)'}.`, example: rules.filters.includes('q' as F) ? '{"q":"boots"}' : '{}' }),
    sort: z
      .string()
      .optional()
      .meta({ description: `JSON ["field", "ASC" or "DESC"]; fields: ${rules.sortable.join(', ')}. Default ${JSON.stringify([rules.defaultSort.field, rules.defaultSort.order])}.` }),
    range: z
      .string()
      .optional()
      .meta({ description: `JSON [first, last], 0-based and inclusive; at most ${rules.maxPage ?? 500} rows. The answer's Content-Range header holds the total.`, example: '[0,24]' }),
  });
}

/** A query parameter read as text and checked by hand: one of `values`. */
export const oneOf = (values: readonly string[], description: string) => z.enum(values as [string, ...string[]]).optional().meta({ description });
export const day = (description: string) => z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().meta({ description: `${description} (YYYY-MM-DD, UTC)` });
