import { BadRequestException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { jsonLimitProblem } from '../../http/json-limits';

/**
 * The list request of react-admin's `ra-data-simple-rest`: `?filter={"q":"boots"}&sort=["createdAt","DESC"]&range=[0,24]`
 * (each a JSON string, each optional). Answered with the page as a JSON array and
 * `Content-Range: <resource> <first>-<last>/<total>`.
 */
export interface ListQuery<F extends string = string, S extends string = string> {
  filter: Partial<Record<F, unknown>>;
  sort: { field: S; order: 'ASC' | 'DESC' };
  offset: number;
  limit: number;
}

export interface ListQueryRules<F extends string, S extends string> {
  filters: readonly F[];
  sortable: readonly S[];
  defaultSort: { field: S; order: 'ASC' | 'DESC' };
  /** Largest page. @defaultValue 500 */
  maxPage?: number;
}

/**
 * The first row a page may start at: far beyond any real list, and well inside PostgreSQL's bigint OFFSET and
 * JavaScript's exact integers (`[1e20,1e20]` passed Number.isInteger and failed in the database with a 500).
 */
export const MAX_LIST_OFFSET = 1_000_000_000;

/** Query parameters are JSON too: the same depth and string limits as a body, so a filter cannot crash a query. */
const QUERY_JSON_DEPTH = 4;

function invalid(path: string, message: string): never {
  throw new BadRequestException({ error: 'invalid_request', message: `${path}: ${message}`, problems: [{ path, message }] });
}

function parseJson(raw: unknown, path: string): unknown {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') invalid(path, 'must be given once, as JSON');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return invalid(path, 'must be JSON');
  }
  const problem = jsonLimitProblem(parsed, QUERY_JSON_DEPTH);
  if (problem) invalid(problem.path ? `${path}.${problem.path}`.replace('.[', '[') : path, problem.message);
  return parsed;
}

export function parseListQuery<F extends string, S extends string>(query: Record<string, unknown>, rules: ListQueryRules<F, S>): ListQuery<F, S> {
  const filter = parseJson(query.filter, 'filter') ?? {};
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) invalid('filter', 'must be a JSON object');
  for (const key of Object.keys(filter)) {
    if (!(rules.filters as readonly string[]).includes(key)) invalid(`filter.${key}`, `is not a filter here; use one of ${rules.filters.join(', ') || '(none)'}`);
  }
  const sortRaw = parseJson(query.sort, 'sort');
  let sort = rules.defaultSort;
  if (sortRaw !== undefined) {
    if (!Array.isArray(sortRaw) || sortRaw.length !== 2) invalid('sort', 'must be ["field", "ASC" or "DESC"]');
    const [field, order] = sortRaw as [unknown, unknown];
    if (!(rules.sortable as readonly unknown[]).includes(field)) invalid('sort', `cannot sort by ${JSON.stringify(field)}; use one of ${rules.sortable.join(', ')}`);
    if (order !== 'ASC' && order !== 'DESC') invalid('sort', 'order must be "ASC" or "DESC"');
    sort = { field: field as S, order };
  }
  const rangeRaw = parseJson(query.range, 'range');
  const maxPage = rules.maxPage ?? 500;
  let offset = 0;
  let limit = Math.min(25, maxPage);
  if (rangeRaw !== undefined) {
    if (!Array.isArray(rangeRaw) || rangeRaw.length !== 2 || !rangeRaw.every((n) => Number.isInteger(n) && n >= 0) || rangeRaw[1] < rangeRaw[0]) {
      invalid('range', 'must be [first, last] with whole numbers, first ≤ last');
    }
    if (rangeRaw[0] > MAX_LIST_OFFSET) invalid('range', `starts at row ${rangeRaw[0]}; a page may start at row ${MAX_LIST_OFFSET} at most`);
    offset = rangeRaw[0];
    limit = rangeRaw[1] - rangeRaw[0] + 1;
    if (limit > maxPage) invalid('range', `asks for ${limit} rows; at most ${maxPage} at a time`);
  }
  return { filter: filter as Partial<Record<F, unknown>>, sort, offset, limit };
}

/** Sets `Content-Range` (exposed to a console on another origin, e.g. Vite's dev server). */
export function setContentRange(reply: FastifyReply, resource: string, query: Pick<ListQuery, 'offset'>, count: number, total: number) {
  const last = count === 0 ? query.offset : query.offset + count - 1;
  void reply.header('Content-Range', `${resource} ${query.offset}-${last}/${total}`);
  void reply.header('Access-Control-Expose-Headers', 'Content-Range');
}
