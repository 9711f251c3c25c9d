import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { QUEUES } from '../queue/queues';
import { TrainingRunner } from './training-runner';

/** Runs queued training runs one at a time; progress goes to the run's row and the job. */
@Processor(QUEUES.training, { concurrency: 1, lockDuration: 60_000 })
export class TrainingProcessor extends WorkerHost {
  private readonly logger = new Logger(TrainingProcessor.name);

  constructor(private readonly runner: TrainingRunner) {
    super();
  }

  async process(job: Job<{ runId: string }>) {
    const result = await this.runner.run(job.data.runId, (pct) => void job.updateProgress(Math.round(pct)).catch(() => undefined));
    this.logger.log(`training run ${job.data.runId}: ${result.examples} decisions, ${result.verdict}`);
    return result;
  }
}
