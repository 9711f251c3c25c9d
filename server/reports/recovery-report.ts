import type { Pool } from 'pg';
import { NO_CAMPAIGN } from './report-facts-sql';
import type { RecoveryParams } from './report-params';

export interface Economics {
  marginRate: number;
  messageCost: Record<'email' | 'push' | 'sms', number>;
}

export interface RecoveryMetrics {
  abandoned: number | null;
  contacted: number;
  recovered: number;
  recoveryRate: number | null;
  recoveredRevenue: number;
  discountCost: number;
  messageCost: number;
  netMargin: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  openRate: number | null;
  clickRate: number | null;
}

export const RECOVERY_METRICS: ReadonlyArray<keyof RecoveryMetrics> = [
  'abandoned', 'contacted', 'recovered', 'recoveryRate', 'recoveredRevenue', 'discountCost', 'messageCost', 'netMargin',
  'sent', 'delivered', 'opened', 'clicked', 'unsubscribed', 'openRate', 'clickRate',
];

export interface RecoveryPoint extends RecoveryMetrics {
  period: string;
}

export interface RecoveryGroup {
  key: string;
  label: string;
  totals: RecoveryMetrics;
  series: RecoveryPoint[];
}

/** Sums of one group and period, before the ratios. */
interface Sums {
  abandoned: number;
  contacted: number;
  recovered: number;
  recoveredRevenue: number;
  discountCost: number;
  messageCost: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
}

const zero = (): Sums => ({ abandoned: 0, contacted: 0, recovered: 0, recoveredRevenue: 0, discountCost: 0, messageCost: 0, sent: 0, delivered: 0, opened: 0, clicked: 0, unsubscribed: 0 });
const round = (n: number, digits = 4) => Number(n.toFixed(digits));
const rate = (n: number, d: number) => (d === 0 ? null : round(n / d));

function metricsOf(s: Sums, checkoutLevel: boolean, economics: Economics): RecoveryMetrics {
  return {
    abandoned: checkoutLevel ? s.abandoned : null,
    contacted: s.contacted,
    recovered: s.recovered,
    recoveryRate: rate(s.recovered, checkoutLevel ? s.abandoned : s.contacted),
    recoveredRevenue: round(s.recoveredRevenue),
    discountCost: round(s.discountCost),
    messageCost: round(s.messageCost),
    netMargin: round(s.recoveredRevenue * economics.marginRate - s.discountCost - s.messageCost),
    sent: s.sent,
    delivered: s.delivered,
    opened: s.opened,
    clicked: s.clicked,
    unsubscribed: s.unsubscribed,
    openRate: rate(s.opened, s.sent),
    clickRate: rate(s.clicked, s.sent),
  };
}

/** Every period of the range, oldest first: days, or the Mondays of the weeks it touches. */
export function periodsOf(p: Pick<RecoveryParams, 'from' | 'to' | 'interval'>): string[] {
  const DAY = 86_400_000;
  let at = Date.parse(`${p.from}T00:00:00Z`);
  const end = Date.parse(`${p.to}T00:00:00Z`);
  if (p.interval === 'week') at -= ((new Date(at).getUTCDay() + 6) % 7) * DAY;
  const periods: string[] = [];
  for (; at <= end; at += p.interval === 'week' ? 7 * DAY : DAY) periods.push(new Date(at).toISOString().slice(0, 10));
  return periods;
}

const MESSAGE_GROUP: Record<'all' | 'campaign' | 'step' | 'channel', string> = { all: `'all'`, campaign: 'campaign_id::text', step: 'step_index::text', channel: 'channel' };

/** The recovery report from the two recovery rollups: checkout outcomes per campaign, message outcomes per campaign, step and channel. */
export async function recoveryReport(pool: Pool, p: RecoveryParams, economics: Economics): Promise<{ totals: RecoveryMetrics; series: RecoveryPoint[]; groups: RecoveryGroup[] }> {
  const period = p.interval === 'week' ? `date_trunc('week', day)::date` : 'day';
  const by = p.by ?? 'all';
  const checkoutLevel = by === 'all' || by === 'campaign';
  const range = [p.from, p.to];
  const checkoutRows = checkoutLevel
    ? pool.query<{ period: string; grp: string; abandoned: string; contacted: string; recovered: string; revenue: string; discount: string }>(
        `SELECT to_char(${period}, 'YYYY-MM-DD') AS period, ${by === 'campaign' ? 'campaign_id::text' : `'all'`} AS grp,
                sum(abandoned) AS abandoned, sum(contacted) AS contacted, sum(recovered) AS recovered,
                sum(recovered_revenue) AS revenue, sum(discount_cost) AS discount
           FROM report_recovery_daily WHERE day BETWEEN $1::date AND $2::date GROUP BY 1, 2`,
        range,
      )
    : null;
  const messageRows = pool.query<{
    period: string; grp: string; channel: 'email' | 'push' | 'sms'; sent: string; delivered: string; opened: string; clicked: string; unsubscribed: string;
    recovered: string; revenue: string; discount: string; contacted_step: string; contacted_channel: string;
  }>(
    `SELECT to_char(${period}, 'YYYY-MM-DD') AS period, ${MESSAGE_GROUP[by]} AS grp, channel,
            sum(sent) AS sent, sum(delivered) AS delivered, sum(opened) AS opened, sum(clicked) AS clicked, sum(unsubscribed) AS unsubscribed,
            sum(recovered) AS recovered, sum(recovered_revenue) AS revenue, sum(discount_cost) AS discount,
            sum(contacted_step) AS contacted_step, sum(contacted_channel) AS contacted_channel
       FROM report_message_daily WHERE day BETWEEN $1::date AND $2::date GROUP BY 1, 2, 3`,
    range,
  );

  const cells = new Map<string, Map<string, Sums>>();
  const cell = (grp: string, at: string) => {
    const series = cells.get(grp) ?? (cells.set(grp, new Map()), cells.get(grp)!);
    return series.get(at) ?? (series.set(at, zero()), series.get(at)!);
  };
  for (const r of (await messageRows).rows) {
    const s = cell(r.grp, r.period);
    s.sent += Number(r.sent);
    s.delivered += Number(r.delivered);
    s.opened += Number(r.opened);
    s.clicked += Number(r.clicked);
    s.unsubscribed += Number(r.unsubscribed);
    s.messageCost += Number(r.sent) * (economics.messageCost[r.channel] ?? 0);
    if (!checkoutLevel) {
      s.contacted += Number(by === 'step' ? r.contacted_step : r.contacted_channel);
      s.recovered += Number(r.recovered);
      s.recoveredRevenue += Number(r.revenue);
      s.discountCost += Number(r.discount);
    }
  }
  for (const r of checkoutRows ? (await checkoutRows).rows : []) {
    const s = cell(r.grp, r.period);
    s.abandoned += Number(r.abandoned);
    s.contacted += Number(r.contacted);
    s.recovered += Number(r.recovered);
    s.recoveredRevenue += Number(r.revenue);
    s.discountCost += Number(r.discount);
  }

  const periods = periodsOf(p);
  const seriesOf = (byPeriod: Map<string, Sums>, level: boolean) => periods.map((at) => ({ period: at, ...metricsOf(byPeriod.get(at) ?? zero(), level, economics) }));
  const sumAll = (byPeriod: Iterable<Sums>) => {
    const t = zero();
    for (const s of byPeriod) for (const k of Object.keys(t) as Array<keyof Sums>) t[k] += s[k];
    return t;
  };
  // The totals: every group's cells added per period.
  const totalByPeriod = new Map<string, Sums>();
  for (const series of cells.values()) for (const [at, s] of series) totalByPeriod.set(at, sumAll([totalByPeriod.get(at) ?? zero(), s]));
  // By step or channel a checkout may count in several groups: the totals are then the report's own.
  const overall = checkoutLevel ? null : await recoveryReport(pool, { ...p, by: null }, economics);
  const result = {
    totals: overall?.totals ?? metricsOf(sumAll(totalByPeriod.values()), true, economics),
    series: overall?.series ?? seriesOf(totalByPeriod, true),
    groups: [] as RecoveryGroup[],
  };
  if (p.by === null) return result;
  const labels = p.by === 'campaign' ? await campaignNames(pool, [...cells.keys()]) : new Map<string, string>();
  const label = (key: string) => (p.by === 'step' ? `Step ${Number(key) + 1}` : (labels.get(key) ?? key));
  result.groups = [...cells]
    .map(([key, series]) => ({ key: key === NO_CAMPAIGN ? 'none' : key, label: key === NO_CAMPAIGN ? 'No campaign' : label(key), totals: metricsOf(sumAll(series.values()), checkoutLevel, economics), series: seriesOf(series, checkoutLevel) }))
    .sort((a, b) => (p.by === 'step' ? Number(a.key) - Number(b.key) : (b.totals.abandoned ?? b.totals.contacted) - (a.totals.abandoned ?? a.totals.contacted) || a.key.localeCompare(b.key)));
  return result;
}

async function campaignNames(pool: Pool, ids: string[]): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ id: string; name: string }>('SELECT id::text, name FROM campaigns WHERE id = ANY($1::uuid[])', [ids.filter((id) => id !== NO_CAMPAIGN)]);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Today so far against the same span a week earlier, and the live count of messages due within 24 h. */
export async function dashboardReport(pool: Pool, now: Date) {
  const DAY = 86_400_000;
  const todayStart = new Date(Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`));
  const span = async (from: Date, to: Date) => {
    const [abandoned, recovered] = await Promise.all([
      pool.query<{ n: string }>('SELECT count(*) AS n FROM report_checkout_facts WHERE abandoned_at >= $1 AND abandoned_at < $2', [from, to]),
      pool.query<{ n: string; revenue: string | null }>(
        'SELECT count(*) AS n, sum(recovered_revenue) AS revenue FROM report_checkout_facts WHERE recovered_at >= $1 AND recovered_at < $2',
        [from, to],
      ),
    ]);
    const a = Number(abandoned.rows[0].n);
    const r = Number(recovered.rows[0].n);
    return { from: from.toISOString(), to: to.toISOString(), abandoned: a, recovered: r, recoveryRate: rate(r, a), recoveredRevenue: round(Number(recovered.rows[0].revenue ?? 0)) };
  };
  const [today, lastWeek, scheduled] = await Promise.all([
    span(todayStart, now),
    span(new Date(todayStart.getTime() - 7 * DAY), new Date(now.getTime() - 7 * DAY)),
    pool.query<{ channel: string; n: string }>(
      // Held-out messages are planned too but never go out: not counted.
      `SELECT channel, count(*) AS n FROM messages WHERE status = 'planned' AND arm = 'treatment' AND scheduled_for < $1::timestamptz + interval '24 hours' GROUP BY channel`,
      [now],
    ),
  ]);
  const relative = (a: number, b: number) => (b === 0 ? null : round((a - b) / b));
  const byChannel: Record<string, number> = { email: 0, push: 0, sms: 0 };
  for (const r of scheduled.rows) byChannel[r.channel] = Number(r.n);
  return {
    today,
    sameTimeLastWeek: lastWeek,
    change: {
      abandoned: relative(today.abandoned, lastWeek.abandoned),
      recoveryRate: today.recoveryRate === null || lastWeek.recoveryRate === null ? null : round(today.recoveryRate - lastWeek.recoveryRate),
      recoveredRevenue: relative(today.recoveredRevenue, lastWeek.recoveredRevenue),
    },
    scheduledNext24h: { total: Object.values(byChannel).reduce((a, b) => a + b, 0), byChannel },
  };
}
