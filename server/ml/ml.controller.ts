import { Controller, Get, HttpCode, Param, Post, UnprocessableEntityException, UseGuards } from '@nestjs/common';
import { FEATURE_SCHEMA_VERSION } from '../../ml/features';
import { ModelVersions } from './model-versions.service';
import { AdminAuthGuard } from '../admin/auth/admin-auth.guard';
import type { AdminIdentity } from '../admin/auth/admin-identity';
import { CurrentAdmin } from '../admin/auth/current-admin.decorator';
import { AdminRoles, CAN_EDIT_MARKETING } from '../admin/auth/roles.decorator';
import { AuditLog } from '../admin/audit/audit-log.service';
import { notFound, uuidParam } from '../http/resource-http';
import { NextDecisionPreviews } from './next-decision-preview';
import { SendTimeLearning } from './send-time-learning';
import { TrainingRuns } from './training-runs.service';

/** Model versions, promotion and rollback, training runs and their progress, and what send-time learning found. */
@Controller('admin/api/ml')
@UseGuards(AdminAuthGuard)
export class MlController {
  constructor(
    private readonly versions: ModelVersions,
    private readonly runs: TrainingRuns,
    private readonly sendTimes: SendTimeLearning,
    private readonly audit: AuditLog,
    private readonly previews: NextDecisionPreviews,
  ) {}

  /** What the policy would decide for a checkout's next step now (every role; it plans and sends nothing). */
  @Get('checkouts/:id/next-decision')
  async nextDecision(@Param('id') id: string) {
    const preview = await this.previews.forCheckout(uuidParam(id));
    if (!preview) throw notFound('checkout', id);
    return preview;
  }

  @Get('versions')
  async listVersions() {
    return this.versions.list();
  }

  /** Promote a version; promoting an earlier one is the rollback. */
  @Post('versions/:id/promote')
  @HttpCode(200)
  @AdminRoles(...CAN_EDIT_MARKETING)
  async promote(@Param('id') id: string, @CurrentAdmin() who: AdminIdentity) {
    const result = await this.versions.promote(uuidParam(id), who.actor, FEATURE_SCHEMA_VERSION);
    if (!result.ok && result.reason === 'not_found') throw notFound('model version', id);
    if (!result.ok) {
      throw new UnprocessableEntityException({ error: 'incompatible_model', message: 'this version was trained on other features than this server computes; retrain instead' });
    }
    await this.audit.record(who, { action: 'promote', resource: 'model_versions', resourceId: id });
    return { promoted: id };
  }

  @Get('training-runs')
  async listRuns() {
    return this.runs.recent();
  }

  /** "Retrain now": 202 with the queued run; poll it for progress. */
  @Post('training-runs')
  @HttpCode(202)
  @AdminRoles(...CAN_EDIT_MARKETING)
  async requestRun(@CurrentAdmin() who: AdminIdentity) {
    const run = await this.runs.request('manual', { requestedBy: who.actor });
    await this.audit.record(who, { action: 'train', resource: 'training_runs', resourceId: run.id });
    return run;
  }

  @Get('training-runs/:id')
  async getRun(@Param('id') id: string) {
    const run = await this.runs.get(uuidParam(id));
    if (!run) throw notFound('training run', id);
    return run;
  }

  @Get('send-times')
  async sendTimeSummary() {
    return this.sendTimes.summary();
  }
}
