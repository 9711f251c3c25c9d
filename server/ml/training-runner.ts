import { Inject, Injectable, Logger } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import type { Pool } from 'pg';
import type { SerializedModel } from '../../ml/model';
import { modelVersions, sendTimeStats, trainingRuns } from '../../models/ml';
import { CLOCK, Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DATABASE, Database, PG_POOL } from '../database/database';
import { DiscountRulesSnapshot } from './discount-rules-snapshot';
import { ModelRegistry } from './model-registry';
import { trainInChildProcess } from './train-in-child-process';
import { loadSendTimeOutcomes, loadTrainingExamples } from './training-examples';

/** Progress is written at most this often: the console polls it, the database need not hear every epoch. */
const PROGRESS_WRITE_INTERVAL_MS = 1000;

/** Below this, there is nothing to fit or to hold out: the run ends without a version. */
const MIN_TRAINABLE = 50;

export interface TrainingRunResult {
  examples: number;
  modelVersionId: string | null;
  promoted: boolean;
  verdict: string;
  metrics: unknown;
}

/**
 * One training run, from the logged decisions of settled enrollments (their attribution window closed, their
 * outcome in `experiment_outcomes`) to a stored (and maybe promoted) model version: the nightly job,
 * "retrain now" and `npm run cli -- ml:train` all come here.
 */
@Injectable()
export class TrainingRunner {
  private readonly logger = new Logger(TrainingRunner.name);

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly registry: ModelRegistry,
    private readonly rules: DiscountRulesSnapshot,
  ) {}

  async run(runId: string, report: (progress: number, stage: string) => void = () => undefined): Promise<TrainingRunResult> {
    const started = await this.db
      .update(trainingRuns)
      .set({ status: 'running', startedAt: this.clock.now(), progress: 0, stage: 'loading', error: null })
      .where(and(eq(trainingRuns.id, runId), sql`${trainingRuns.status} IN ('queued', 'running')`))
      .returning({ id: trainingRuns.id });
    if (started.length === 0) throw new Error(`training run ${runId} is not waiting to run`);
    let lastWrite = 0;
    const progress = (pct: number, stage: string) => {
      report(pct, stage);
      const now = Date.now();
      if (now - lastWrite < PROGRESS_WRITE_INTERVAL_MS && pct < 100) return;
      lastWrite = now;
      void this.db
        .update(trainingRuns)
        .set({ progress: Math.round(pct), stage })
        .where(and(eq(trainingRuns.id, runId), eq(trainingRuns.status, 'running')))
        .catch(() => undefined);
    };
    try {
      const result = await this.train(runId, progress);
      report(100, 'done');
      await this.db
        .update(trainingRuns)
        .set({ status: 'succeeded', progress: 100, stage: 'done', finishedAt: this.clock.now(), result, modelVersionId: result.modelVersionId })
        .where(eq(trainingRuns.id, runId));
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`training run ${runId} failed: ${error instanceof Error ? error.stack : message}`);
      await this.db.update(trainingRuns).set({ status: 'failed', finishedAt: this.clock.now(), error: message }).where(eq(trainingRuns.id, runId));
      throw error;
    }
  }

  private async train(runId: string, progress: (pct: number, stage: string) => void): Promise<TrainingRunResult> {
    const now = this.clock.now();
    const examples = await loadTrainingExamples(this.pool, now, { marginRate: this.config.ml.marginRate });
    await this.refreshSendTimeStats(now);
    if (examples.length < MIN_TRAINABLE) {
      const verdict = `not enough data: ${examples.length} settled decisions, training needs at least ${MIN_TRAINABLE} (promotion ${this.config.ml.minTrainingExamples})`;
      return { examples: examples.length, modelVersionId: null, promoted: false, verdict, metrics: null };
    }
    progress(5, 'training');
    const current = await this.promotedModel();
    const outcome = await trainInChildProcess(
      {
        examples,
        now,
        minExamples: this.config.ml.minTrainingExamples,
        maxDiscountShare: this.config.ml.maxDiscountShare,
        economics: { marginRate: this.config.ml.marginRate, messageCost: this.config.ml.messageCost },
        current,
        discountRules: await this.rules.current(),
      },
      (pct) => progress(5 + pct * 0.9, 'training'),
    );
    if (!outcome.model) return { examples: examples.length, modelVersionId: null, promoted: false, verdict: outcome.reason, metrics: outcome.metrics };
    progress(96, 'storing');
    const versionId = await this.store(runId, outcome.model, outcome.metrics, outcome.promote, outcome.reason);
    if (outcome.promote) await this.registry.announce();
    return { examples: examples.length, modelVersionId: versionId, promoted: outcome.promote, verdict: outcome.reason, metrics: outcome.metrics };
  }

  /** Stores the version, promoting it in the same transaction when it won (the old one retires). */
  private async store(runId: string, model: SerializedModel, metrics: unknown, promote: boolean, verdict: string): Promise<string> {
    return this.db.transaction(async (tx) => {
      if (promote) await tx.update(modelVersions).set({ status: 'retired' }).where(eq(modelVersions.status, 'promoted'));
      const [row] = await tx
        .insert(modelVersions)
        .values({
          status: promote ? 'promoted' : 'candidate',
          model,
          featureSchemaVersion: model.featureSchemaVersion,
          metrics,
          verdict,
          trainingRunId: runId,
          promotedAt: promote ? this.clock.now() : null,
          promotedBy: promote ? 'training' : null,
        })
        .returning({ id: modelVersions.id });
      return row.id;
    });
  }

  /** The model to beat, as stored. */
  private async promotedModel(): Promise<SerializedModel | null> {
    const [row] = await this.db.select({ model: modelVersions.model }).from(modelVersions).where(eq(modelVersions.status, 'promoted'));
    return (row?.model as SerializedModel | undefined) ?? null;
  }

  /** The send-time bandit's counts, recomputed from mature outcomes (idempotent, so a rerun is harmless). */
  private async refreshSendTimeStats(now: Date) {
    const outcomes = await loadSendTimeOutcomes(this.pool, now);
    await this.db.transaction(async (tx) => {
      await tx.delete(sendTimeStats);
      if (outcomes.length > 0) await tx.insert(sendTimeStats).values(outcomes.map((o) => ({ ...o, updatedAt: now })));
    });
  }
}
