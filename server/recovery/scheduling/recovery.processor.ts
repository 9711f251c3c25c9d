import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { QUEUES } from '../../queue/queues';
import { SendMessage } from '../sending/send-message';
import { PlanEnrollment } from './plan-enrollment';
import type { RecoveryJob, SendJobData } from './recovery-jobs';

/**
 * Wakes up planned messages and waterfall deadlines. Failures are handled inside: a job never retries by
 * itself. A short lock (renewed while a job runs) lets another worker take over a dead worker's jobs quickly.
 */
@Processor(QUEUES.recovery, { lockDuration: 10_000, stalledInterval: 5_000 })
export class RecoveryProcessor extends WorkerHost implements OnModuleInit {
  private readonly logger = new Logger(RecoveryProcessor.name);

  constructor(
    private readonly send: SendMessage,
    private readonly plan: PlanEnrollment,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit() {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  async process(job: Job<RecoveryJob['data']>): Promise<string> {
    if (job.name === 'send') {
      const data = job.data as SendJobData;
      return this.send.run(data.messageId, data.enrollmentId);
    }
    if (job.name === 'plan') return (await this.plan.run((job.data as { enrollmentId: string }).enrollmentId)).decision.kind;
    throw new Error(`unknown recovery job ${job.name}`);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error) {
    this.logger.error(`recovery job ${job?.name} ${job?.id} failed: ${error.message}`);
  }
}
