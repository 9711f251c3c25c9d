import type { Pool } from 'pg';
import { addSums, type ArmSums, compareArms, EMPTY_SUMS, type Effect, estimateArm, relativeEffect, unitsToDetect, binaryFallbackVariance } from '../../campaigns/experiments/lift-statistics';
import { liftVerdict, type Verdict } from '../../campaigns/experiments/verdict';
import type { CampaignStep } from '../../campaigns/types';
import type { OutcomeGroup } from '../../models/experiments';
import type { LiftParams } from '../reports/report-params';
import { MEASURE_COLUMNS } from './outcome-sql';

/** The lift the "not enough data yet" line talks about: 2 percentage points of conversion. */
export const DETECTABLE_LIFT = 0.02;
/**
 * Conversions and revenue get no interval before each group has 10 conversions: with fewer, an arm's estimated
 * variance is smallest exactly when its mean is lowest, and daily-peeked A/A simulations then cross zero too often
 * (lift-statistics.ts, `minEvents`). Net margin is signed; its intervals wait for the same conversions, see below.
 */
export const MIN_CONVERSIONS_FOR_INTERVAL = 10;
const NON_NEGATIVE = { minEvents: MIN_CONVERSIONS_FOR_INTERVAL };

/** A rollup row's measures, as PostgreSQL returns them (numerics as text). */
type MeasureRow = Record<(typeof MEASURE_COLUMNS)[number], string | number>;

/** One group's totals over a range: plain sums for display, weighted sums per metric for the statistics. */
interface GroupTotals {
  units: number;
  converted: number;
  revenue: number;
  discountCost: number;
  messageCost: number;
  netMargin: number;
  messagesSent: number;
  unsubscribed: number;
  conv: ArmSums;
  rev: ArmSums;
  net: ArmSums;
}

const emptyTotals = (): GroupTotals => ({
  units: 0, converted: 0, revenue: 0, discountCost: 0, messageCost: 0, netMargin: 0, messagesSent: 0, unsubscribed: 0,
  conv: EMPTY_SUMS, rev: EMPTY_SUMS, net: EMPTY_SUMS,
});

function addRow(t: GroupTotals, r: MeasureRow): GroupTotals {
  const n = (c: (typeof MEASURE_COLUMNS)[number]) => Number(r[c]);
  const units = n('units');
  const sums = (prefix: 'conv' | 'rev' | 'net'): ArmSums => ({ n: units, w: n('w'), w2: n('w2'), wy: n(`${prefix}_wy`), w2y: n(`${prefix}_w2y`), w2y2: n(`${prefix}_w2y2`) });
  return {
    units: t.units + units,
    converted: t.converted + n('converted'),
    revenue: t.revenue + n('revenue'),
    discountCost: t.discountCost + n('discount_cost'),
    messageCost: t.messageCost + n('message_cost'),
    netMargin: t.netMargin + n('net_margin'),
    messagesSent: t.messagesSent + n('messages_sent'),
    unsubscribed: t.unsubscribed + n('unsubscribed'),
    conv: addSums(t.conv, sums('conv')),
    rev: addSums(t.rev, sums('rev')),
    net: addSums(t.net, sums('net')),
  };
}

const round = (value: number | null, digits = 4) => (value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));

export interface ArmSummary {
  /** Enrollments abandoned in the range: decided plus still open. */
  n: number;
  /** Those whose window has closed: the only ones the figures count. */
  decided: number;
  open: number;
  converted: number;
  /** Conversion within the window from abandonment (weighted by the inverse of the assignment probability). */
  conversionRate: number | null;
  revenue: number;
  revenuePerAbandonment: number | null;
  discountCost: number;
  messageCost: number;
  netMargin: number;
  netMarginPerAbandonment: number | null;
  messagesSent: number;
  unsubscribed: number;
}

function summary(t: GroupTotals, open: number): ArmSummary {
  return {
    n: t.units + open,
    decided: t.units,
    open,
    converted: t.converted,
    conversionRate: round(estimateArm(t.conv).mean, 6),
    revenue: round(t.revenue)!,
    revenuePerAbandonment: round(estimateArm(t.rev).mean),
    discountCost: round(t.discountCost)!,
    messageCost: round(t.messageCost)!,
    netMargin: round(t.netMargin)!,
    netMarginPerAbandonment: round(estimateArm(t.net).mean),
    messagesSent: t.messagesSent,
    unsubscribed: t.unsubscribed,
  };
}

export interface EffectView {
  value: number | null;
  ci: { low: number; high: number } | null;
  ciFixed: { low: number; high: number } | null;
  significant: boolean;
}

function view(effect: Effect, scale = 1): EffectView {
  const interval = (i: { low: number; high: number } | null) => (i ? { low: round(i.low * scale, 6)!, high: round(i.high * scale, 6)! } : null);
  return { value: round(effect.estimate === null ? null : effect.estimate * scale, 6), ci: interval(effect.ci), ciFixed: interval(effect.ciFixed), significant: effect.significant };
}

export interface LiftPoint {
  /** Abandonment day; every figure counts the decided enrollments abandoned from `from` up to it. */
  day: string;
  controlDecided: number;
  treatmentDecided: number;
  absolute: number | null;
  low: number | null;
  high: number | null;
  lowFixed: number | null;
  highFixed: number | null;
}

export interface VariantView {
  campaignId: string;
  stepIndex: number;
  name: string;
  /** As the campaign lists it now (null: no longer listed). */
  weight: number | null;
  paused: boolean;
  /** The variant the others are compared with: the step's first one. */
  baseline: boolean;
  decided: number;
  converted: number;
  conversionRate: number | null;
  revenuePerAbandonment: number | null;
  netMarginPerAbandonment: number | null;
  /** Against the baseline; null for the baseline itself. */
  lift: EffectView | null;
  incrementalNetMarginPer1000: EffectView | null;
}

export interface LiftReport {
  campaignId: string | null;
  stepIndex: number | null;
  holdout: { campaignPercent: number | null; globalPercent: number; period: number; periodStartedAt: string };
  control: ArmSummary;
  treatment: ArmSummary;
  /** Enrollments of campaigns with no holdout at the time: in no comparison. */
  untested: { n: number; decided: number };
  lift: { absolute: number | null; relative: number | null; ci: EffectView['ci']; ciFixed: EffectView['ciFixed']; relativeCi: EffectView['ci']; relativeCiFixed: EffectView['ciFixed']; significant: boolean };
  incrementalRevenuePer1000: EffectView;
  incrementalNetMarginPer1000: EffectView;
  series: LiftPoint[];
  variants: VariantView[];
  verdict: Verdict & { detectableLift: number };
  /** Intervals stay null until each compared group has this many conversions. */
  minConversionsForInterval: number;
}

interface CampaignInfo {
  id: string;
  name: string;
  holdout_percent: number;
  steps: CampaignStep[];
}

/** Every day of the range, oldest first. */
function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += 86_400_000) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

const measureList = MEASURE_COLUMNS.join(', ');

/** The Lift report: control against treatment and each variant against its step's first, from the rollups only. */
export async function liftReport(pool: Pool, p: LiftParams, holdout: { globalPercent: number; period: number; periodStartedAt: string }, formatMoney: (v: number) => string): Promise<LiftReport> {
  const range = [p.from, p.to, p.campaignId];
  const [armRows, openRows, variantRows, campaignRows] = await Promise.all([
    pool.query<MeasureRow & { day: string; arm: OutcomeGroup }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, arm, ${measureList} FROM report_lift_daily
        WHERE day BETWEEN $1::date AND $2::date AND ($3::uuid IS NULL OR campaign_id = $3::uuid)`,
      range,
    ),
    // Still open: few (at most a window's worth of abandonments), read from the unsettled index.
    pool.query<{ arm: OutcomeGroup; n: string }>(
      `SELECT CASE WHEN arm = 'treatment' AND control_probability = 0 THEN 'untested' ELSE arm END AS arm, count(*) AS n FROM enrollments
        WHERE settled_at IS NULL AND abandoned_at >= $1::date AND abandoned_at < $2::date + 1 AND ($3::uuid IS NULL OR campaign_id = $3::uuid)
        GROUP BY 1`,
      range,
    ),
    pool.query<MeasureRow & { campaign_id: string; step_index: number; variant: string }>(
      `SELECT campaign_id, step_index, variant, ${MEASURE_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')} FROM report_variant_daily
        WHERE day BETWEEN $1::date AND $2::date AND ($3::uuid IS NULL OR campaign_id = $3::uuid) AND ($4::int IS NULL OR step_index = $4::int)
        GROUP BY 1, 2, 3`,
      [...range, p.stepIndex],
    ),
    pool.query<CampaignInfo>(`SELECT id, name, holdout_percent, steps FROM campaigns WHERE $1::uuid IS NULL OR id = $1::uuid`, [p.campaignId]),
  ]);

  const byDay = new Map<string, Record<OutcomeGroup, GroupTotals>>();
  const totals: Record<OutcomeGroup, GroupTotals> = { treatment: emptyTotals(), control: emptyTotals(), untested: emptyTotals() };
  for (const row of armRows.rows) {
    const day = byDay.get(row.day) ?? { treatment: emptyTotals(), control: emptyTotals(), untested: emptyTotals() };
    day[row.arm] = addRow(day[row.arm], row);
    byDay.set(row.day, day);
    totals[row.arm] = addRow(totals[row.arm], row);
  }
  const open: Record<OutcomeGroup, number> = { treatment: 0, control: 0, untested: 0 };
  for (const row of openRows.rows) open[row.arm] = Number(row.n);

  const T = totals.treatment;
  const C = totals.control;
  const lift = compareArms(T.conv, C.conv, NON_NEGATIVE);
  const relative = relativeEffect(T.conv, C.conv, NON_NEGATIVE);
  const revenue = view(compareArms(T.rev, C.rev, NON_NEGATIVE), 1000);
  const netEffect = withIntervalsOf(lift, compareArms(T.net, C.net));
  const net = view(netEffect, 1000);

  const series: LiftPoint[] = [];
  let cumulative = { treatment: emptyTotals().conv, control: emptyTotals().conv };
  for (const day of daysOf(p.from, p.to)) {
    const today = byDay.get(day);
    if (today) cumulative = { treatment: addSums(cumulative.treatment, today.treatment.conv), control: addSums(cumulative.control, today.control.conv) };
    const effect = compareArms(cumulative.treatment, cumulative.control, NON_NEGATIVE);
    series.push({
      day,
      controlDecided: cumulative.control.n,
      treatmentDecided: cumulative.treatment.n,
      absolute: round(effect.estimate, 6),
      low: round(effect.ci?.low ?? null, 6),
      high: round(effect.ci?.high ?? null, 6),
      lowFixed: round(effect.ciFixed?.low ?? null, 6),
      highFixed: round(effect.ciFixed?.high ?? null, 6),
    });
  }

  const campaigns = new Map(campaignRows.rows.map((c) => [c.id, c]));
  const campaign = p.campaignId ? (campaigns.get(p.campaignId) ?? null) : null;
  const hasHoldout = C.units + open.control > 0 || (campaign ? campaign.holdout_percent > 0 : campaignRows.rows.some((c) => c.holdout_percent > 0)) || holdout.globalPercent > 0;
  const unitsNeeded = unitsToDetect(T.conv, C.conv, DETECTABLE_LIFT, { fallbackVariance: binaryFallbackVariance(T.conv, C.conv) });
  const verdict: Verdict = hasHoldout
    ? liftVerdict({ lift, incrementalNetMarginPer1000: scaled(netEffect, 1000), unitsNeeded, unitsDecided: T.units + C.units, detectable: DETECTABLE_LIFT, formatMoney })
    : { kind: 'no_data', text: 'no holdout: give the campaign a holdout share (or set a store-wide one) to measure what its reminders cause', moreUnitsNeeded: null };

  return {
    campaignId: p.campaignId,
    stepIndex: p.stepIndex,
    holdout: { campaignPercent: campaign?.holdout_percent ?? null, ...holdout },
    control: summary(C, open.control),
    treatment: summary(T, open.treatment),
    untested: { n: totals.untested.units + open.untested, decided: totals.untested.units },
    lift: {
      absolute: round(lift.estimate, 6),
      relative: round(relative.estimate, 6),
      ci: view(lift).ci,
      ciFixed: view(lift).ciFixed,
      relativeCi: view(relative).ci,
      relativeCiFixed: view(relative).ciFixed,
      significant: lift.significant,
    },
    incrementalRevenuePer1000: revenue,
    incrementalNetMarginPer1000: net,
    series,
    variants: variantViews(variantRows.rows, campaigns),
    verdict: { ...verdict, detectableLift: DETECTABLE_LIFT },
    minConversionsForInterval: MIN_CONVERSIONS_FOR_INTERVAL,
  };
}

/** A net-margin effect shows its intervals only once the conversion lift can (net margin is driven by conversions). */
function withIntervalsOf(conversion: Effect, net: Effect): Effect {
  return conversion.ci ? net : { ...net, ci: null, ciFixed: null, significant: false };
}

/** An effect in other units (per 1000 abandonments, say). */
function scaled(effect: Effect, factor: number): Effect {
  const by = (i: { low: number; high: number } | null) => (i ? { low: i.low * factor, high: i.high * factor } : null);
  return {
    ...effect,
    estimate: effect.estimate === null ? null : effect.estimate * factor,
    standardError: effect.standardError === null ? null : effect.standardError * factor,
    ci: by(effect.ci),
    ciFixed: by(effect.ciFixed),
  };
}

/** Each tested step's variants, each against the step's first variant (as listed now; else the first with data). */
function variantViews(rows: (MeasureRow & { campaign_id: string; step_index: number; variant: string })[], campaigns: Map<string, CampaignInfo>): VariantView[] {
  const steps = new Map<string, { campaignId: string; stepIndex: number; variants: Map<string, GroupTotals> }>();
  for (const row of rows) {
    const key = `${row.campaign_id}.${row.step_index}`;
    const step = steps.get(key) ?? { campaignId: row.campaign_id, stepIndex: row.step_index, variants: new Map() };
    step.variants.set(row.variant, addRow(emptyTotals(), row));
    steps.set(key, step);
  }
  const views: VariantView[] = [];
  for (const { campaignId, stepIndex, variants } of steps.values()) {
    const listed = campaigns.get(campaignId)?.steps[stepIndex]?.variants ?? [];
    const names = [...listed.map((v) => v.name).filter((n) => variants.has(n)), ...[...variants.keys()].filter((n) => !listed.some((v) => v.name === n)).sort()];
    const baselineName = listed[0] && variants.has(listed[0].name) ? listed[0].name : names[0];
    const baseline = variants.get(baselineName)!;
    for (const name of names) {
      const t = variants.get(name)!;
      const current = listed.find((v) => v.name === name);
      const isBaseline = name === baselineName;
      views.push({
        campaignId,
        stepIndex,
        name,
        weight: current?.weight ?? null,
        paused: current?.paused ?? false,
        baseline: isBaseline,
        decided: t.units,
        converted: t.converted,
        conversionRate: round(estimateArm(t.conv).mean, 6),
        revenuePerAbandonment: round(estimateArm(t.rev).mean),
        netMarginPerAbandonment: round(estimateArm(t.net).mean),
        lift: isBaseline ? null : view(compareArms(t.conv, baseline.conv, NON_NEGATIVE)),
        incrementalNetMarginPer1000: isBaseline ? null : view(withIntervalsOf(compareArms(t.conv, baseline.conv, NON_NEGATIVE), compareArms(t.net, baseline.net)), 1000),
      });
    }
  }
  return views;
}

/** What the reminders added in revenue over a range: per decided treated abandonment, and in all. */
export interface IncrementalRevenue {
  treatedDecided: number;
  controlDecided: number;
  /** Revenue per treated abandonment above what the control group's shoppers spent. */
  perAbandonment: EffectView;
  /** perAbandonment × treated abandonments: revenue that would not have come without the reminders. */
  total: EffectView;
}

/**
 * Incremental revenue per campaign with a holdout, and over all of them (one comparison weighted by each
 * enrollment's own probability), from the holdout rollup. Campaigns without a decided control group are absent.
 */
export async function incrementalRevenue(pool: Pool, from: string, to: string): Promise<{ all: IncrementalRevenue | null; byCampaign: Record<string, IncrementalRevenue> }> {
  const { rows } = await pool.query<MeasureRow & { campaign_id: string; arm: OutcomeGroup }>(
    `SELECT campaign_id, arm, ${MEASURE_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')} FROM report_lift_daily
      WHERE day BETWEEN $1::date AND $2::date AND arm <> 'untested' GROUP BY 1, 2`,
    [from, to],
  );
  const perCampaign = new Map<string, { treatment: GroupTotals; control: GroupTotals }>();
  const all = { treatment: emptyTotals(), control: emptyTotals() };
  for (const row of rows) {
    if (row.arm === 'untested') continue;
    const groups = perCampaign.get(row.campaign_id) ?? { treatment: emptyTotals(), control: emptyTotals() };
    groups[row.arm] = addRow(groups[row.arm], row);
    perCampaign.set(row.campaign_id, groups);
    all[row.arm] = addRow(all[row.arm], row);
  }
  const incremental = (g: { treatment: GroupTotals; control: GroupTotals }): IncrementalRevenue | null => {
    if (g.control.units === 0 || g.treatment.units === 0) return null;
    const effect = compareArms(g.treatment.rev, g.control.rev, NON_NEGATIVE);
    return { treatedDecided: g.treatment.units, controlDecided: g.control.units, perAbandonment: view(effect), total: view(effect, g.treatment.units) };
  };
  const byCampaign: Record<string, IncrementalRevenue> = {};
  for (const [id, groups] of perCampaign) {
    const value = incremental(groups);
    if (value) byCampaign[id] = value;
  }
  return { all: incremental(all), byCampaign };
}
