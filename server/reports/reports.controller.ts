import { Controller, Get, Inject, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Pool } from 'pg';
import { AdminAuthGuard } from '../admin/auth/admin-auth.guard';
import { parseListQuery, setContentRange } from '../admin/http/list-query';
import { CLOCK, Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PG_POOL } from '../database/database';
import { incrementalRevenue } from '../experiments/lift-report';
import { OutcomeSettler } from '../experiments/outcome-settler';
import { csvDisposition, toCsv } from './csv';
import { dropoffList, funnelReport } from './funnel-report';
import { dashboardReport, RECOVERY_METRICS, recoveryReport } from './recovery-report';
import { ReportFolder } from './report-folder';
import { DROPOFF_PARAMS, FUNNEL_STEPS, parseDashboardParams, parseDropoffParams, parseFunnelParams, parseRecoveryParams } from './report-params';

const CSV_MAX_ROWS = 10_000;
type Query = Record<string, unknown>;

/** Funnel, drop-offs, recovery and the dashboard: read by every console role, as JSON or `?format=csv`. */
@Controller('admin/api/reports')
@UseGuards(AdminAuthGuard)
export class ReportsController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly folder: ReportFolder,
    private readonly settler: OutcomeSettler,
  ) {}

  @Get('funnel')
  async funnel(@Query() query: Query, @Res({ passthrough: true }) reply: FastifyReply) {
    const now = this.clock.now();
    const p = parseFunnelParams(query, now);
    const freshness = await this.freshness();
    const report = await funnelReport(this.pool, p, now);
    if (p.csv) {
      const rows = [{ key: 'all', steps: report.steps }, ...report.groups].flatMap((g) =>
        g.steps.map((s) => [g.key, s.step, s.optional, s.window, s.entered, s.converted, s.skipped, s.inProgress, s.lost, s.conversionRate, s.dropOffRate, s.overallRate]),
      );
      const header = ['group', 'step', 'optional', 'window', 'entered', 'converted', 'skipped', 'inProgress', 'lost', 'conversionRate', 'dropOffRate', 'overallRate'];
      return this.csv(reply, `funnel-${p.from}-${p.to}`, header, rows);
    }
    return { report: 'funnel', from: p.from, to: p.to, breakdown: p.breakdown, windows: p.windows, optional: p.optional, ...freshness, ...report };
  }

  @Get('funnel/dropoffs')
  async dropoffs(@Query() query: Query, @Res({ passthrough: true }) reply: FastifyReply) {
    const now = this.clock.now();
    const p = parseDropoffParams(query, now);
    const list = parseListQuery(query, { filters: DROPOFF_PARAMS, sortable: ['startedAt', 'lastStepAt', 'cartValue'], defaultSort: { field: 'startedAt', order: 'DESC' } });
    await this.folder.catchUp();
    const page = p.csv ? { ...list, offset: 0, limit: CSV_MAX_ROWS } : list;
    const { rows, total } = await dropoffList(this.pool, p, page, now);
    if (p.csv) {
      const steps = FUNNEL_STEPS;
      const header = ['id', 'externalId', 'sourceId', 'customerId', 'email', 'device', 'customerType', 'status', 'stage', 'startedAt', 'lastStepAt', 'cartValue', 'currency', ...steps.map((s) => `${s}At`)];
      const data = rows.map((r) => [r.id, r.externalId, r.sourceId, r.customerId, r.email, r.device, r.customerType, r.status, r.stage, r.startedAt, r.lastStepAt, r.cartValue, r.currency, ...steps.map((s) => r.stageReachedAt[s] ?? null)]);
      return this.csv(reply, `funnel-dropoffs-${p.stage}-${p.from}-${p.to}`, header, data);
    }
    setContentRange(reply, 'reports/funnel/dropoffs', list, rows.length, total);
    return rows;
  }

  @Get('recovery')
  async recovery(@Query() query: Query, @Res({ passthrough: true }) reply: FastifyReply) {
    const p = parseRecoveryParams(query, this.clock.now());
    const freshness = await this.freshness();
    const economics = { marginRate: this.config.ml.marginRate, messageCost: this.config.ml.messageCost };
    const [report, incremental] = await Promise.all([recoveryReport(this.pool, p, economics), this.settled().then(() => incrementalRevenue(this.pool, p.from, p.to))]);
    if (p.by === 'campaign') for (const group of report.groups) Object.assign(group, { incremental: incremental.byCampaign[group.key] ?? null });
    if (p.csv) {
      const rows = [{ key: 'all', series: report.series }, ...report.groups].flatMap((g) => g.series.map((point) => [point.period, g.key, ...RECOVERY_METRICS.map((m) => point[m])]));
      return this.csv(reply, `recovery-${p.from}-${p.to}`, ['period', 'group', ...RECOVERY_METRICS], rows);
    }
    // Attributed (last touch) revenue is in the totals; what the holdout shows the reminders caused sits beside it.
    return { report: 'recovery', from: p.from, to: p.to, interval: p.interval, by: p.by, marginRate: economics.marginRate, ...freshness, ...report, incremental: incremental.all };
  }

  @Get('dashboard')
  async dashboard(@Query() query: Query, @Res({ passthrough: true }) reply: FastifyReply) {
    const p = parseDashboardParams(query);
    const now = this.clock.now();
    const freshness = await this.freshness();
    const [report, incremental] = await Promise.all([dashboardReport(this.pool, now), this.lastMonthIncremental(now)]);
    if (p.csv) {
      const metrics = ['abandoned', 'recovered', 'recoveryRate', 'recoveredRevenue'] as const;
      const rows = [
        ...metrics.map((m) => [m, report.today[m], report.sameTimeLastWeek[m], report.change[m as keyof typeof report.change] ?? null]),
        ['scheduledNext24h', report.scheduledNext24h.total, null, null],
      ];
      return this.csv(reply, `dashboard-${now.toISOString().slice(0, 10)}`, ['metric', 'today', 'sameTimeLastWeek', 'change'], rows);
    }
    return { report: 'dashboard', ...freshness, ...report, incremental };
  }

  /** The headline where a holdout exists: revenue the reminders caused among abandonments decided in the last 30 days. */
  private async lastMonthIncremental(now: Date) {
    await this.settled();
    const to = now.toISOString().slice(0, 10);
    const from = new Date(now.getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
    const { all } = await incrementalRevenue(this.pool, from, to);
    return all ? { from, to, ...all } : null;
  }

  private settled(): Promise<void> {
    return this.settler.catchUp();
  }

  /** Folds what is pending, then says how fresh the rollups are. */
  private async freshness() {
    const pendingCheckouts = await this.folder.catchUp();
    return { asOf: this.clock.now().toISOString(), pendingCheckouts };
  }

  private csv(reply: FastifyReply, name: string, header: string[], rows: unknown[][]): string {
    void reply.header('Content-Type', 'text/csv; charset=utf-8');
    void reply.header('Content-Disposition', csvDisposition(name));
    return toCsv(header, rows);
  }
}
