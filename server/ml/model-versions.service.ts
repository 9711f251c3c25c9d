import { Inject, Injectable } from '@nestjs/common';
import { desc, eq } from 'drizzle-orm';
import { modelVersions } from '../../models/ml';
import { CLOCK, Clock } from '../common/clock';
import { DATABASE, Database } from '../database/database';
import { ModelRegistry } from './model-registry';

export type PromoteResult = { ok: true } | { ok: false; reason: 'not_found' | 'incompatible' };

/** Model versions as the console sees them (weights left out), and promotion or rollback by hand. */
@Injectable()
export class ModelVersions {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly registry: ModelRegistry,
  ) {}

  async list() {
    const rows = await this.db
      .select({
        id: modelVersions.id,
        number: modelVersions.number,
        status: modelVersions.status,
        metrics: modelVersions.metrics,
        verdict: modelVersions.verdict,
        featureSchemaVersion: modelVersions.featureSchemaVersion,
        trainingRunId: modelVersions.trainingRunId,
        createdAt: modelVersions.createdAt,
        promotedAt: modelVersions.promotedAt,
        promotedBy: modelVersions.promotedBy,
      })
      .from(modelVersions)
      .orderBy(desc(modelVersions.number));
    return rows.map((row) => ({ ...row, label: `v${row.number}` }));
  }

  /** Makes a version the one every process decides with (a rollback is promoting an earlier one). */
  async promote(id: string, by: string, currentSchemaVersion: number): Promise<PromoteResult> {
    const result = await this.db.transaction(async (tx): Promise<PromoteResult> => {
      const [target] = await tx.select({ id: modelVersions.id, schema: modelVersions.featureSchemaVersion }).from(modelVersions).where(eq(modelVersions.id, id)).for('update');
      if (!target) return { ok: false, reason: 'not_found' };
      if (target.schema !== currentSchemaVersion) return { ok: false, reason: 'incompatible' };
      await tx.update(modelVersions).set({ status: 'retired' }).where(eq(modelVersions.status, 'promoted'));
      await tx.update(modelVersions).set({ status: 'promoted', promotedAt: this.clock.now(), promotedBy: by }).where(eq(modelVersions.id, id));
      return { ok: true };
    });
    if (result.ok) await this.registry.announce();
    return result;
  }
}
