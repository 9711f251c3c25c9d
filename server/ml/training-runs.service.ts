import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { desc, eq } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { TrainingRunRow, trainingRuns } from '../../models/ml';
import { DATABASE, Database } from '../database/database';
import { QUEUES } from '../queue/queues';

export type TrainingTrigger = TrainingRunRow['trigger'];

/** Asks for training runs and reports on them; the worker's TrainingProcessor runs them. */
@Injectable()
export class TrainingRuns {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @InjectQueue(QUEUES.training) private readonly queue: Queue,
  ) {}

  /**
   * Records a queued run and enqueues it (the run id is the job id). A dedupe key (the nightly run's date)
   * makes a second request for the same key return the first run instead of queueing another.
   */
  async request(trigger: TrainingTrigger, options: { requestedBy?: string; dedupeKey?: string } = {}): Promise<TrainingRunRow> {
    const [created] = await this.db
      .insert(trainingRuns)
      .values({ trigger, requestedBy: options.requestedBy ?? null, dedupeKey: options.dedupeKey ?? null })
      .onConflictDoNothing()
      .returning();
    const run = created ?? (await this.db.select().from(trainingRuns).where(eq(trainingRuns.dedupeKey, options.dedupeKey!)))[0];
    if (run.status === 'queued') {
      await this.queue.add('train', { runId: run.id }, { jobId: run.id, removeOnComplete: 100, removeOnFail: 100, attempts: 1 });
    }
    return run;
  }

  /** Records a run the caller will execute itself (the CLI), without queueing it. */
  async start(trigger: TrainingTrigger, requestedBy?: string): Promise<TrainingRunRow> {
    const [run] = await this.db.insert(trainingRuns).values({ trigger, requestedBy: requestedBy ?? null }).returning();
    return run;
  }

  async get(id: string): Promise<TrainingRunRow | undefined> {
    const [run] = await this.db.select().from(trainingRuns).where(eq(trainingRuns.id, id));
    return run;
  }

  async recent(limit = 20): Promise<TrainingRunRow[]> {
    return this.db.select().from(trainingRuns).orderBy(desc(trainingRuns.createdAt)).limit(limit);
  }
}
