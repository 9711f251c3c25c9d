import { BadRequestException } from '@nestjs/common';
import { FunnelWindow, WINDOWS } from './delay-buckets';

export const FUNNEL_STEPS = ['started', 'contact', 'shipping', 'payment', 'completed'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];
/** The steps after `started`: each has a window, and the first three may be optional. */
export const TIMED_STEPS = ['contact', 'shipping', 'payment', 'completed'] as const;
export type TimedStep = (typeof TIMED_STEPS)[number];
const SKIPPABLE = ['contact', 'shipping', 'payment'] as const;

export const BREAKDOWNS = ['device', 'source', 'customerType'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];
export const RECOVERY_GROUPINGS = ['campaign', 'step', 'channel'] as const;
export type RecoveryGrouping = (typeof RECOVERY_GROUPINGS)[number];

const DEFAULT_WINDOW: FunnelWindow = '1d';
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

export interface DateRange {
  /** Inclusive UTC days, `YYYY-MM-DD`. */
  from: string;
  to: string;
}

export interface FunnelParams extends DateRange {
  breakdown: Breakdown | null;
  windows: Record<TimedStep, FunnelWindow>;
  optional: TimedStep[];
  csv: boolean;
}

export interface DropoffParams extends DateRange {
  stage: TimedStep;
  windows: Record<TimedStep, FunnelWindow>;
  optional: TimedStep[];
  outcome: 'lost' | 'inProgress';
  device: string | null;
  sourceId: string | null;
  customerType: 'new' | 'returning' | null;
  csv: boolean;
}

export interface RecoveryParams extends DateRange {
  interval: 'day' | 'week';
  by: RecoveryGrouping | null;
  csv: boolean;
}

type Problem = { path: string; message: string };

/** Collects every problem of a query, then answers 400 naming them all, like the rest of the admin API. */
class QueryReader {
  readonly problems: Problem[] = [];
  constructor(private readonly query: Record<string, unknown>) {}

  problem(path: string, message: string) {
    this.problems.push({ path, message });
  }

  text(name: string): string | undefined {
    const raw = this.query[name];
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string') {
      this.problem(name, 'must be given once');
      return undefined;
    }
    return raw;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.text(name);
    if (raw === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problem(name, `must be one of ${allowed.join(', ')}`);
      return undefined;
    }
    return raw as T;
  }

  onlyKnown(known: readonly string[]) {
    for (const key of Object.keys(this.query)) if (!known.includes(key)) this.problem(key, `is not a parameter here; use ${known.join(', ')}`);
  }

  done() {
    if (this.problems.length === 0) return;
    throw new BadRequestException({
      error: 'invalid_request',
      message: this.problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      problems: this.problems,
      errors: Object.fromEntries(this.problems.map((p) => [p.path, p.message])),
    });
  }
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function readDay(r: QueryReader, name: string): number | undefined {
  const raw = r.text(name);
  if (raw === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || isoDay(ms) !== raw) {
    r.problem(name, 'must be a day as YYYY-MM-DD');
    return undefined;
  }
  return ms;
}

function readRange(r: QueryReader, now: Date): DateRange {
  const today = Date.parse(`${isoDay(now.getTime())}T00:00:00Z`);
  const from = readDay(r, 'from');
  const to = readDay(r, 'to');
  const end = to ?? (from !== undefined ? Math.max(from, today) : today);
  const start = from ?? end - (DEFAULT_DAYS - 1) * DAY_MS;
  if (start > end) r.problem('to', 'must be on or after from');
  else if ((end - start) / DAY_MS + 1 > MAX_DAYS) r.problem('to', `the range spans more than ${MAX_DAYS} days`);
  return { from: isoDay(start), to: isoDay(end) };
}

function readWindows(r: QueryReader): Record<TimedStep, FunnelWindow> {
  const windows = Object.fromEntries(TIMED_STEPS.map((s) => [s, DEFAULT_WINDOW])) as Record<TimedStep, FunnelWindow>;
  const raw = r.text('window');
  if (raw === undefined) return windows;
  const isWindow = (w: string): w is FunnelWindow => (WINDOWS as readonly string[]).includes(w);
  if (!raw.includes(':')) {
    if (isWindow(raw)) for (const s of TIMED_STEPS) windows[s] = raw;
    else r.problem('window', `must be one of ${WINDOWS.join(', ')}, or step:window pairs such as contact:1h,completed:3d`);
    return windows;
  }
  for (const pair of raw.split(',')) {
    const [step, window, ...rest] = pair.split(':').map((p) => p.trim());
    if (!(TIMED_STEPS as readonly string[]).includes(step) || rest.length > 0) {
      r.problem('window', `"${pair}": the step must be one of ${TIMED_STEPS.join(', ')}`);
    } else if (!isWindow(window)) {
      r.problem(`window.${step}`, `must be one of ${WINDOWS.join(', ')}`);
    } else {
      windows[step as TimedStep] = window;
    }
  }
  return windows;
}

function readOptional(r: QueryReader): TimedStep[] {
  const raw = r.text('optional');
  if (raw === undefined) return [];
  const steps = raw.split(',').map((s) => s.trim());
  const bad = steps.filter((s) => !(SKIPPABLE as readonly string[]).includes(s));
  if (bad.length > 0) r.problem('optional', `${bad.map((s) => JSON.stringify(s)).join(', ')}: only ${SKIPPABLE.join(', ')} can be optional`);
  return TIMED_STEPS.filter((s) => steps.includes(s));
}

function readCsv(r: QueryReader): boolean {
  return r.oneOf('format', ['json', 'csv'] as const) === 'csv';
}

export function parseFunnelParams(query: Record<string, unknown>, now: Date): FunnelParams {
  const r = new QueryReader(query);
  r.onlyKnown(['from', 'to', 'breakdown', 'window', 'optional', 'format']);
  const params = { ...readRange(r, now), breakdown: r.oneOf('breakdown', BREAKDOWNS) ?? null, windows: readWindows(r), optional: readOptional(r), csv: readCsv(r) };
  r.done();
  return params;
}

/** The drop-off list's parameters (also the keys its react-admin `filter` may carry). */
export const DROPOFF_PARAMS = ['stage', 'from', 'to', 'window', 'optional', 'outcome', 'device', 'sourceId', 'customerType', 'format'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The drop-off list's own parameters, from the query string or react-admin's `filter` JSON (the list's
 * `sort` and `range` are read by `parseListQuery`).
 */
export function parseDropoffParams(query: Record<string, unknown>, now: Date): DropoffParams {
  const { filter: filterRaw, sort: _sort, range: _range, ...direct } = query;
  let merged: Record<string, unknown> = direct;
  if (typeof filterRaw === 'string' && filterRaw !== '') {
    let filter: unknown;
    try {
      filter = JSON.parse(filterRaw);
    } catch {
      filter = null;
    }
    if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
      throw new BadRequestException({ error: 'invalid_request', message: 'filter: must be a JSON object', problems: [{ path: 'filter', message: 'must be a JSON object' }] });
    }
    // Filter values are JSON; the parameters are text.
    const asText = Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v === null ? undefined : String(v)]));
    merged = { ...direct, ...asText };
  }
  const r = new QueryReader(merged);
  r.onlyKnown(DROPOFF_PARAMS);
  const stage = r.oneOf('stage', TIMED_STEPS);
  if (stage === undefined && !r.problems.some((p) => p.path === 'stage')) r.problem('stage', `is required: one of ${TIMED_STEPS.join(', ')}`);
  const sourceId = r.text('sourceId');
  if (sourceId !== undefined && !UUID.test(sourceId)) r.problem('sourceId', 'must be a UUID');
  const params: DropoffParams = {
    ...readRange(r, now),
    stage: stage ?? 'contact',
    windows: readWindows(r),
    optional: readOptional(r),
    outcome: r.oneOf('outcome', ['lost', 'inProgress'] as const) ?? 'lost',
    device: r.text('device') ?? null,
    sourceId: sourceId?.toLowerCase() ?? null,
    customerType: r.oneOf('customerType', ['new', 'returning'] as const) ?? null,
    csv: readCsv(r),
  };
  r.done();
  return params;
}

export function parseRecoveryParams(query: Record<string, unknown>, now: Date): RecoveryParams {
  const r = new QueryReader(query);
  r.onlyKnown(['from', 'to', 'interval', 'by', 'format']);
  const params = { ...readRange(r, now), interval: r.oneOf('interval', ['day', 'week'] as const) ?? 'day', by: r.oneOf('by', RECOVERY_GROUPINGS) ?? null, csv: readCsv(r) };
  r.done();
  return params;
}

export function parseDashboardParams(query: Record<string, unknown>): { csv: boolean } {
  const r = new QueryReader(query);
  r.onlyKnown(['format']);
  const params = { csv: readCsv(r) };
  r.done();
  return params;
}

export interface LiftParams extends DateRange {
  /** One campaign, or null for every campaign with a holdout. */
  campaignId: string | null;
  /** Narrows the variants to one step (0-based). */
  stepIndex: number | null;
  csv: boolean;
}

export function parseLiftParams(query: Record<string, unknown>, now: Date): LiftParams {
  const r = new QueryReader(query);
  r.onlyKnown(['from', 'to', 'campaignId', 'stepIndex', 'format']);
  const campaignId = r.text('campaignId');
  if (campaignId !== undefined && !UUID.test(campaignId)) r.problem('campaignId', 'must be a campaign id (a UUID)');
  const step = r.text('stepIndex');
  if (step !== undefined && !/^\d{1,2}$/.test(step)) r.problem('stepIndex', 'must be a step number, 0 for the first step');
  const params = { ...readRange(r, now), campaignId: campaignId?.toLowerCase() ?? null, stepIndex: step === undefined ? null : Number(step), csv: readCsv(r) };
  r.done();
  return params;
}
