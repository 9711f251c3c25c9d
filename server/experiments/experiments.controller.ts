import { Body, Controller, Get, HttpCode, Inject, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Pool } from 'pg';
import { AdminAuthGuard } from '../admin/auth/admin-auth.guard';
import type { AdminIdentity } from '../admin/auth/admin-identity';
import { CurrentAdmin } from '../admin/auth/current-admin.decorator';
import { ADMIN_ONLY, AdminRoles, CAN_EDIT_MARKETING } from '../admin/auth/roles.decorator';
import { CLOCK, Clock } from '../common/clock';
import { PG_POOL } from '../database/database';
import { csvDisposition, toCsv } from '../reports/csv';
import { parseLiftParams } from '../reports/report-params';
import { ExperimentSettingsService } from './experiment-settings';
import { liftReport } from './lift-report';
import { OutcomeSettler } from './outcome-settler';

const money = (value: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(Math.abs(value));

/** The Lift report (every role reads it) and the store-wide holdout and experiment period (changed by people). */
@Controller('admin/api')
@UseGuards(AdminAuthGuard)
export class ExperimentsController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly settler: OutcomeSettler,
    private readonly experiments: ExperimentSettingsService,
  ) {}

  @Get('reports/lift')
  async lift(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const p = parseLiftParams(query, this.clock.now());
    await this.settler.catchUp();
    const { globalHoldoutPercent, period, periodStartedAt } = await this.experiments.view();
    const report = await liftReport(this.pool, p, { globalPercent: globalHoldoutPercent, period, periodStartedAt }, money);
    if (p.csv) {
      const header = ['day', 'controlDecided', 'treatmentDecided', 'absoluteLift', 'low', 'high', 'lowFixed', 'highFixed'];
      const rows = report.series.map((s) => [s.day, s.controlDecided, s.treatmentDecided, s.absolute, s.low, s.high, s.lowFixed, s.highFixed]);
      void reply.header('Content-Type', 'text/csv; charset=utf-8');
      void reply.header('Content-Disposition', csvDisposition(`lift-${p.from}-${p.to}`));
      return toCsv(header, rows);
    }
    return { report: 'lift', from: p.from, to: p.to, asOf: this.clock.now().toISOString(), alpha: 0.05, ...report };
  }

  @Get('experiments/holdout')
  holdout() {
    return this.experiments.view();
  }

  @Put('experiments/holdout')
  @AdminRoles(...ADMIN_ONLY)
  setHoldout(@Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    return this.experiments.setGlobalHoldout(body, who);
  }

  @Post('experiments/holdout/new-period')
  @HttpCode(200)
  @AdminRoles(...CAN_EDIT_MARKETING)
  newPeriod(@CurrentAdmin() who: AdminIdentity) {
    return this.experiments.startNewPeriod(who);
  }
}
