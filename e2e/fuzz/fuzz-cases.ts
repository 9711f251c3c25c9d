import fc from 'fast-check';
import type { ApiRoute } from '../../server/openapi/api-route';
import type { RouteRequest } from '../support/route-fixtures';
import { applyMutations, mutationArbitrary, pathsOf, toFormText, toJsonText } from './body-mutations';
import { garbageArbitrary } from './garbage-bodies';
import { deepNesting, hostileString } from './hostile-values';
import { encodeUnit, pathParamArbitrary, queryArbitrary } from './request-mutations';
import type { BaseRequest } from './route-params';

/** One generated request, as fast-check reports it when an invariant breaks (copy it into a regression test). */
export interface FuzzCase {
  kind: 'mutated body' | 'garbage body' | 'path' | 'query' | 'header';
  /** Path parameters, URL-encoded. */
  params: Record<string, string>;
  pathSuffix?: string;
  query?: string;
  headers: Record<string, string>;
  body?: { raw: string | Uint8Array; contentType?: string };
}

export function toRouteRequest(c: FuzzCase): RouteRequest {
  return { params: c.params, paramsEncoded: true, pathSuffix: c.pathSuffix, query: c.query, headers: c.headers, body: c.body };
}

const FORM = 'application/x-www-form-urlencoded';

/** Every kind of case that applies to `route`, weighted towards what the route reads. */
export function caseArbitrary(route: ApiRoute, base: BaseRequest): fc.Arbitrary<FuzzCase> {
  const contentType = route.bodyContentType ?? 'application/json';
  const example = route.examples?.[0]?.value;
  const encodedParams = Object.fromEntries(Object.entries(base.params).map(([name, value]) => [name, encodeUnit(value)]));
  const encodeBody = (value: unknown) => ({ raw: contentType === FORM ? toFormText(value) : toJsonText(value), contentType });
  const exampleBody = example === undefined ? undefined : encodeBody(example);
  const plain = (kind: FuzzCase['kind'], change: Partial<FuzzCase>): FuzzCase => ({ kind, params: encodedParams, headers: base.headers, body: exampleBody, ...change });

  const options: Array<fc.WeightedArbitrary<FuzzCase>> = [];
  if (example !== undefined) {
    options.push({
      weight: 8,
      arbitrary: fc.array(mutationArbitrary(example), { minLength: 1, maxLength: 3 }).map((mutations) => plain('mutated body', { body: encodeBody(applyMutations(example, mutations)) })),
    });
  }
  if (route.body || route.method !== 'GET') {
    options.push({
      weight: example !== undefined ? 3 : 4,
      arbitrary: garbageArbitrary(example, contentType).map(({ headers, ...body }) => plain('garbage body', { body, headers: { ...base.headers, ...headers } })),
    });
  }
  const names = Object.keys(base.params);
  if (names.length) {
    const mutated = fc.record(Object.fromEntries(names.map((name) => [name, fc.oneof(fc.constant(encodedParams[name]), pathParamArbitrary(base.params[name]))])));
    options.push({ weight: example !== undefined ? 2 : 5, arbitrary: mutated.map((params) => plain('path', { params })) });
  }
  if (route.wildcard) {
    const segment = fc.oneof(hostileString().map(encodeUnit), fc.constantFrom('..', '%2e%2e', '%2F', '%00', 'index.html', 'static/../../package.json', '%ED%A0%80', '.env'));
    options.push({ weight: 4, arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => plain('path', { pathSuffix: `/${segments.join('/')}` })) });
  }
  options.push({ weight: route.query ? 5 : 1, arbitrary: queryArbitrary(route.query).map((query) => plain('query', { query })) });
  const headerNames = Object.keys(route.headers ?? {}).map((name) => name.toLowerCase());
  if (headerNames.length) {
    const value = fc.oneof(
      fc.constantFrom('', ' ', 'x'.repeat(300), 'x'.repeat(8_000), 'not-a-uuid', "' OR 1=1 --", '../..', 'checkouts/../orders/create', 'orders/create', 'checkouts/create', 'app/uninstalled'),
      fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    );
    options.push({ weight: 2, arbitrary: fc.tuple(fc.constantFrom(...headerNames), value).map(([name, v]) => plain('header', { headers: { ...base.headers, [name]: v } })) });
  }
  return fc.oneof(...options);
}

/**
 * Cases run first for every route, whatever the seed: one of each kind that once answered 500 (a lone surrogate
 * in a string, nesting thousands of levels deep, a list range beyond any integer, a JSON body as text/plain).
 */
export function sentinelCases(route: ApiRoute, base: BaseRequest): FuzzCase[] {
  const contentType = route.bodyContentType ?? 'application/json';
  const example = route.examples?.[0]?.value;
  const params = Object.fromEntries(Object.entries(base.params).map(([name, value]) => [name, encodeUnit(value)]));
  const cases: FuzzCase[] = [];
  const withBody = (value: unknown): FuzzCase => ({ kind: 'mutated body', params, headers: base.headers, body: { raw: contentType === FORM ? toFormText(value) : toJsonText(value), contentType } });
  if (example !== undefined) {
    const paths = pathsOf(example);
    const firstString = paths.find((path) => typeof valueAt(example, path) === 'string');
    if (firstString) cases.push(withBody(applyMutations(example, [{ op: 'replace', path: firstString, value: 'lone \ud800 surrogate' }])));
    const deepest = [...paths].reverse().find((path) => { const v = valueAt(example, path); return v !== null && typeof v === 'object'; })!;
    cases.push(withBody(applyMutations(example, [{ op: 'replace', path: deepest, value: deepNesting(5_000, 'object') }])));
    if (contentType === 'application/json') cases.push({ ...withBody(example), kind: 'garbage body', body: { raw: toJsonText(example), contentType: 'text/plain' } });
  }
  if (route.query && 'range' in route.query.shape) cases.push({ kind: 'query', params, headers: base.headers, query: `range=${encodeUnit('[1e20,1e20]')}` });
  return cases;
}

const valueAt = (value: unknown, path: Array<string | number>): unknown =>
  path.reduce<unknown>((node, segment) => (node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[segment] : undefined), value);
