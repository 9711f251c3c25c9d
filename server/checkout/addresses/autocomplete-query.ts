/**
 * The query string of `GET /v1/addresses/autocomplete`: `q` (3–200 characters), `country` (a country whose
 * addresses we check), `limit` (1–10, default 5), `proximity` (`longitude,latitude`). Every problem is named
 * by its parameter. Other parameters (the write key) are not ours to judge.
 */
import type { AutocompleteOptions } from './address-provider';
import { COUNTRY_ALIASES, COUNTRY_RULES } from './country-rules';

export interface AutocompleteQuery extends AutocompleteOptions {
  q: string;
  limit: number;
}

export interface QueryProblem {
  parameter: string;
  message: string;
}

export const DEFAULT_SUGGESTIONS = 5;

type Read<T> = { value: T } | { problem: string };

function single(raw: unknown): Read<string | undefined> {
  if (raw === undefined) return { value: undefined };
  if (typeof raw !== 'string') return { problem: 'must be given once' };
  return { value: raw };
}

function readQ(raw: string | undefined): Read<string> {
  const text = (raw ?? '').replace(/\s+/g, ' ').trim();
  if (text === '') return { problem: 'is required: the address text typed so far' };
  const length = [...text].length;
  if (length < 3) return { problem: `must be at least 3 characters (it has ${length})` };
  if (length > 200) return { problem: `must be at most 200 characters (it has ${length})` };
  return { value: text };
}

function readCountry(raw: string | undefined): Read<string | undefined> {
  if (raw === undefined || raw.trim() === '') return { value: undefined };
  const typed = raw.trim().toUpperCase();
  const code = COUNTRY_ALIASES[typed] ?? typed;
  if (!/^[A-Z]{2}$/.test(code)) return { problem: `"${raw}" is not an ISO 3166-1 alpha-2 code (like "US")` };
  if (!COUNTRY_RULES[code]) return { problem: `"${raw}" is not a country we can check addresses for` };
  return { value: code };
}

function readLimit(raw: string | undefined): Read<number> {
  if (raw === undefined || raw.trim() === '') return { value: DEFAULT_SUGGESTIONS };
  const n = /^\d{1,3}$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 10)) return { problem: `must be a whole number from 1 to 10 (got "${raw}")` };
  return { value: n };
}

function readProximity(raw: string | undefined): Read<AutocompleteOptions['proximity']> {
  if (raw === undefined || raw.trim() === '') return { value: undefined };
  const parts = raw.split(',').map((p) => p.trim());
  const [longitude, latitude] = parts.map((p) => (/^-?\d+(\.\d+)?$/.test(p) ? Number(p) : NaN));
  if (parts.length !== 2 || !(Math.abs(longitude) <= 180) || !(Math.abs(latitude) <= 90)) {
    return { problem: `must be "longitude,latitude" in degrees, like "-0.1276,51.5034" (got "${raw}")` };
  }
  return { value: { longitude, latitude } };
}

export function parseAutocompleteQuery(query: Record<string, unknown>): { ok: true; query: AutocompleteQuery } | { ok: false; problems: QueryProblem[] } {
  const problems: QueryProblem[] = [];
  const read = <T>(parameter: string, reader: (raw: string | undefined) => Read<T>): T | undefined => {
    const raw = single(query[parameter]);
    const result = 'problem' in raw ? raw : reader(raw.value);
    if ('problem' in result) {
      problems.push({ parameter, message: result.problem });
      return undefined;
    }
    return result.value;
  };
  const q = read('q', readQ);
  const country = read('country', readCountry);
  const limit = read('limit', readLimit);
  const proximity = read('proximity', readProximity);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, query: { q: q!, limit: limit!, ...(country && { country }), ...(proximity && { proximity }) } };
}
