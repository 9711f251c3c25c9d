import type { Pool } from 'pg';
import { WINDOW_SECONDS, windowBucket } from './delay-buckets';
import type { Breakdown, DropoffParams, FunnelParams, FunnelStep, TimedStep } from './report-params';
import { FUNNEL_STEPS, TIMED_STEPS } from './report-params';

export interface FunnelStepRow {
  step: FunnelStep;
  optional: boolean;
  window: string | null;
  entered: number;
  converted: number;
  skipped: number;
  inProgress: number;
  lost: number;
  conversionRate: number | null;
  dropOffRate: number | null;
  overallRate: number | null;
}

export interface FunnelGroup {
  key: string;
  label: string;
  steps: FunnelStepRow[];
}

/**
 * How a checkout walks the funnel, as SQL over a row with the four bucket columns: the index (1–4) of the
 * first step it did not convert at, 5 when it completed. An optional step not reached is skipped only by a checkout
 * that reached a later step. `$3`–`$6` are the steps' windows as buckets, `$7`–`$9`
 * whether contact, shipping and payment are optional.
 */
const PASSED = (column: string, window: number, optional: number | null, later: string[]) =>
  `(${column} BETWEEN 1 AND $${window}::int${optional === null ? '' : ` OR ($${optional}::boolean AND ${column} = 0 AND (${later.map((c) => `${c} > 0`).join(' OR ')}))`})`;
export const STOP_SQL = `CASE WHEN NOT ${PASSED('contact_bucket', 3, 7, ['shipping_bucket', 'payment_bucket', 'completed_bucket'])} THEN 1
  WHEN NOT ${PASSED('shipping_bucket', 4, 8, ['payment_bucket', 'completed_bucket'])} THEN 2
  WHEN NOT ${PASSED('payment_bucket', 5, 9, ['completed_bucket'])} THEN 3 WHEN NOT ${PASSED('completed_bucket', 6, null, [])} THEN 4 ELSE 5 END`;
/** When the step before the stop was reached: the window of the stop runs from there. */
export const PREVIOUS_AT_SQL = `CASE stop WHEN 1 THEN started_at WHEN 2 THEN coalesce(contact_at, started_at)
  WHEN 3 THEN coalesce(shipping_at, contact_at, started_at) ELSE coalesce(payment_at, shipping_at, contact_at, started_at) END`;
/** `$10`: now; `$11`–`$14`: the windows in seconds. */
export const IN_PROGRESS_SQL = `$10::timestamptz < previous_at + make_interval(secs => (ARRAY[$11::int, $12::int, $13::int, $14::int])[stop])`;

const GROUP_SQL: Record<Breakdown | 'all', string> = { all: `'all'`, device: 'device', source: 'source_id::text', customerType: 'customer_type' };

function walkValues(p: Pick<FunnelParams, 'from' | 'to' | 'windows' | 'optional'>): unknown[] {
  return [
    p.from,
    p.to,
    ...TIMED_STEPS.map((s) => windowBucket(p.windows[s])),
    ...(['contact', 'shipping', 'payment'] as const).map((s) => p.optional.includes(s)),
  ];
}

function timeValues(p: Pick<FunnelParams, 'windows'>, now: Date): unknown[] {
  return [now, ...TIMED_STEPS.map((s) => WINDOW_SECONDS[p.windows[s]])];
}

const rate = (n: number, d: number) => (d === 0 ? null : Number((n / d).toFixed(4)));

interface Tally {
  /** Checkouts by the step they stopped at (index 1–4; 5: completed). */
  stops: number[];
  skipped: number[];
  inProgress: number[];
}

function stepsOf(t: Tally, p: FunnelParams): FunnelStepRow[] {
  const cohort = t.stops.reduce((a, b) => a + b, 0);
  const rows: FunnelStepRow[] = [];
  let entered = cohort;
  FUNNEL_STEPS.forEach((step, i) => {
    const converted = i === 0 ? cohort : entered - t.stops[i];
    const inProgress = i === 0 ? 0 : t.inProgress[i];
    const lost = entered - converted - inProgress;
    rows.push({
      step,
      optional: i > 0 && p.optional.includes(step as TimedStep),
      window: i === 0 ? null : p.windows[step as TimedStep],
      entered,
      converted,
      skipped: i === 0 ? 0 : t.skipped[i],
      inProgress,
      lost,
      conversionRate: rate(converted, entered),
      dropOffRate: rate(lost, entered),
      overallRate: rate(converted, cohort),
    });
    entered = converted;
  });
  return rows;
}

const emptyTally = (): Tally => ({ stops: [0, 0, 0, 0, 0, 0], skipped: [0, 0, 0, 0, 0], inProgress: [0, 0, 0, 0, 0] });

/** The funnel from the rollups: the walk per rollup row, and the in-progress checkouts from the facts of recent ones. */
export async function funnelReport(pool: Pool, p: FunnelParams, now: Date): Promise<{ steps: FunnelStepRow[]; groups: FunnelGroup[] }> {
  const group = GROUP_SQL[p.breakdown ?? 'all'];
  const counts = pool.query<{ grp: string; stop: number; n: string; skip1: string; skip2: string; skip3: string }>(
    `SELECT grp, stop, sum(checkouts) AS n,
            coalesce(sum(checkouts) FILTER (WHERE contact_bucket = 0 AND stop > 1), 0) AS skip1,
            coalesce(sum(checkouts) FILTER (WHERE shipping_bucket = 0 AND stop > 2), 0) AS skip2,
            coalesce(sum(checkouts) FILTER (WHERE payment_bucket = 0 AND stop > 3), 0) AS skip3
       FROM (SELECT ${group} AS grp, checkouts, contact_bucket, shipping_bucket, payment_bucket, ${STOP_SQL} AS stop
               FROM report_funnel_daily WHERE day BETWEEN $1::date AND $2::date) r
      GROUP BY grp, stop`,
    walkValues(p),
  );
  const maxWindow = Math.max(...TIMED_STEPS.map((s) => WINDOW_SECONDS[p.windows[s]]));
  const inProgress = pool.query<{ grp: string; stop: number; n: string }>(
    `SELECT grp, stop, count(*) AS n FROM (
       SELECT grp, stop, ${PREVIOUS_AT_SQL} AS previous_at FROM (
         SELECT ${group} AS grp, started_at, contact_at, shipping_at, payment_at, ${STOP_SQL} AS stop
           FROM report_checkout_facts
          WHERE started_day BETWEEN $1::date AND $2::date AND last_step_at > $10::timestamptz - make_interval(secs => $15::int)) w
        WHERE stop <= 4) x
      WHERE ${IN_PROGRESS_SQL}
      GROUP BY grp, stop`,
    [...walkValues(p), ...timeValues(p, now), maxWindow],
  );
  const tallies = new Map<string, Tally>();
  const tallyOf = (key: string) => tallies.get(key) ?? (tallies.set(key, emptyTally()), tallies.get(key)!);
  for (const row of (await counts).rows) {
    const t = tallyOf(row.grp);
    t.stops[row.stop] += Number(row.n);
    t.skipped[1] += Number(row.skip1);
    t.skipped[2] += Number(row.skip2);
    t.skipped[3] += Number(row.skip3);
  }
  for (const row of (await inProgress).rows) tallyOf(row.grp).inProgress[row.stop] += Number(row.n);

  const total = emptyTally();
  for (const t of tallies.values()) {
    for (let i = 0; i < 6; i++) total.stops[i] += t.stops[i];
    for (let i = 0; i < 5; i++) {
      total.skipped[i] += t.skipped[i];
      total.inProgress[i] += t.inProgress[i];
    }
  }
  if (!p.breakdown) return { steps: stepsOf(total, p), groups: [] };
  const labels = p.breakdown === 'source' ? await sourceNames(pool, [...tallies.keys()]) : new Map<string, string>();
  const groups = [...tallies]
    .map(([key, t]) => ({ key, label: labels.get(key) ?? key, steps: stepsOf(t, p) }))
    .filter((g) => g.steps[0].entered > 0)
    .sort((a, b) => b.steps[0].entered - a.steps[0].entered || a.key.localeCompare(b.key));
  return { steps: stepsOf(total, p), groups };
}

async function sourceNames(pool: Pool, ids: string[]): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ id: string; name: string }>('SELECT id, name FROM sources WHERE id = ANY($1::uuid[])', [ids]);
  return new Map(rows.map((r) => [r.id, r.name]));
}

export interface DropoffRow {
  id: string;
  externalId: string;
  sourceId: string;
  customerId: string | null;
  email: string | null;
  device: string;
  customerType: string;
  status: string;
  stage: string;
  startedAt: string;
  lastStepAt: string;
  stageReachedAt: Partial<Record<FunnelStep, string>>;
  cartValue: number | null;
  currency: string | null;
}

const DROPOFF_SORT: Record<string, string> = { startedAt: 'started_at', lastStepAt: 'previous_at', cartValue: 'k.cart_value' };

/** The checkouts behind one drop-off bar (or its in-progress part), one page of them and how many there are. */
export async function dropoffList(
  pool: Pool,
  p: DropoffParams,
  page: { offset: number; limit: number; sort: { field: string; order: 'ASC' | 'DESC' } },
  now: Date,
): Promise<{ rows: DropoffRow[]; total: number }> {
  const stop = TIMED_STEPS.indexOf(p.stage) + 1;
  const values = [...walkValues(p), ...timeValues(p, now), stop, p.device, p.sourceId, p.customerType];
  const base = `
    SELECT w.*, ${PREVIOUS_AT_SQL} AS previous_at FROM (
      SELECT f.*, ${STOP_SQL} AS stop FROM report_checkout_facts f
       WHERE started_day BETWEEN $1::date AND $2::date
         AND ($16::text IS NULL OR device = $16) AND ($17::uuid IS NULL OR source_id = $17) AND ($18::text IS NULL OR customer_type = $18)) w
     WHERE stop = $15::int`;
  const outcome = `${p.outcome === 'inProgress' ? '' : 'NOT '}(${IN_PROGRESS_SQL})`;
  const order = `${DROPOFF_SORT[page.sort.field] ?? 'started_at'} ${page.sort.order} NULLS LAST, d.checkout_id`;
  const [list, count] = await Promise.all([
    pool.query(
      `SELECT d.checkout_id, d.source_id, d.device, d.customer_type, d.started_at, d.previous_at,
              d.contact_at, d.shipping_at, d.payment_at, d.completed_at,
              k.external_id, k.customer_id, k.email, k.status, k.stage, k.cart_value, k.currency
         FROM (${base}) d JOIN checkouts k ON k.id = d.checkout_id
        WHERE ${outcome}
        ORDER BY ${order} LIMIT $19 OFFSET $20`,
      [...values, page.limit, page.offset],
    ),
    pool.query<{ n: string }>(`SELECT count(*) AS n FROM (${base}) d WHERE ${outcome}`, values),
  ]);
  const iso = (d: Date | null) => (d ? d.toISOString() : undefined);
  const rows = list.rows.map((r): DropoffRow => {
    const reached = { started: iso(r.started_at), contact: iso(r.contact_at), shipping: iso(r.shipping_at), payment: iso(r.payment_at), completed: iso(r.completed_at) };
    return {
      id: r.checkout_id,
      externalId: r.external_id,
      sourceId: r.source_id,
      customerId: r.customer_id,
      email: r.email,
      device: r.device,
      customerType: r.customer_type,
      status: r.status,
      stage: r.stage,
      startedAt: r.started_at.toISOString(),
      lastStepAt: r.previous_at.toISOString(),
      stageReachedAt: Object.fromEntries(Object.entries(reached).filter(([, v]) => v !== undefined)),
      cartValue: r.cart_value === null ? null : Number(r.cart_value),
      currency: r.currency,
    };
  });
  return { rows, total: Number(count.rows[0].n) };
}
