import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { MAX_HOLDOUT_PERCENT } from '../../campaigns/campaign-schema';
import { settings } from '../../models';
import type { AdminIdentity } from '../admin/auth/admin-identity';
import { AuditLog } from '../admin/audit/audit-log.service';
import { CLOCK, Clock } from '../common/clock';
import { DATABASE, Database } from '../database/database';
import { parseBody } from '../http/resource-http';

/** `settings['experiments']`, created by migration 0008. The secret never leaves the server. */
export interface ExperimentSettings {
  /** The store-wide holdout, percent 0–50: these shoppers get no recovery message from any campaign. */
  globalHoldoutPercent: number;
  /** Keys the holdout and variant draws; replaced when a new experiment period starts. */
  secret: string;
  period: number;
  periodStartedAt: string;
}

export type HoldoutSettingsView = Omit<ExperimentSettings, 'secret'>;

const KEY = 'experiments';

export const globalHoldoutSchema = z.strictObject(
  {
    globalHoldoutPercent: z
      .number('must be a number')
      .finite('must be a finite number')
      .min(0, 'must be 0 or more')
      .max(MAX_HOLDOUT_PERCENT, `must be at most ${MAX_HOLDOUT_PERCENT}`),
  },
  'must be a JSON object',
);

/** The store-wide holdout and the experiment period, changed only by people, each change audit-logged. */
@Injectable()
export class ExperimentSettingsService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async view(): Promise<HoldoutSettingsView> {
    const [row] = await this.db.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY));
    return publicView(row.value as ExperimentSettings);
  }

  async setGlobalHoldout(body: unknown, who: AdminIdentity): Promise<HoldoutSettingsView> {
    const { globalHoldoutPercent } = parseBody(globalHoldoutSchema, body);
    return this.change(who, 'update', (current) => ({ ...current, globalHoldoutPercent }));
  }

  /** Reshuffles every shopper on purpose: a new secret, so new enrollments are drawn afresh (existing ones keep theirs). */
  async startNewPeriod(who: AdminIdentity): Promise<HoldoutSettingsView> {
    return this.change(who, 'new_period', (current) => ({
      ...current,
      secret: randomBytes(32).toString('hex'),
      period: current.period + 1,
      periodStartedAt: this.clock.now().toISOString(),
    }));
  }

  private async change(who: AdminIdentity, action: string, apply: (current: ExperimentSettings) => ExperimentSettings): Promise<HoldoutSettingsView> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY)).for('update');
      const before = row.value as ExperimentSettings;
      const after = apply(before);
      await tx.update(settings).set({ value: after }).where(eq(settings.key, KEY));
      await this.audit.record(who, { action, resource: 'experiments', resourceId: 'holdout', before: publicView(before), after: publicView(after) }, tx);
      return publicView(after);
    });
  }
}

function publicView(s: ExperimentSettings): HoldoutSettingsView {
  // The migration stores PostgreSQL's timestamp text, later periods JavaScript's: one ISO form out.
  return { globalHoldoutPercent: s.globalHoldoutPercent, period: s.period, periodStartedAt: new Date(s.periodStartedAt).toISOString() };
}
