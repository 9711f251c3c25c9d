import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { QUEUES } from '../../queue/queues';
import { Reconciler } from '../scheduling/reconciler';
import type { AbandonmentJob } from '../scheduling/recovery-jobs';
import { AbandonCheckout } from './abandon-checkout';
import { AbandonmentSweep } from './abandonment-sweep';

@Processor(QUEUES.abandonment, { concurrency: 4 })
export class AbandonmentProcessor extends WorkerHost {
  private readonly logger = new Logger(AbandonmentProcessor.name);

  constructor(
    private readonly sweep: AbandonmentSweep,
    private readonly reconciler: Reconciler,
    private readonly abandon: AbandonCheckout,
  ) {
    super();
  }

  async process(job: Job<AbandonmentJob['data']>): Promise<unknown> {
    switch (job.name) {
      case 'sweep':
        return this.sweep.run();
      case 'reconcile':
        return this.reconciler.run();
      case 'abandon':
        return this.abandon.run((job.data as { checkoutId: string }).checkoutId);
      default:
        throw new Error(`unknown abandonment job ${job.name}`);
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error) {
    this.logger.error(`abandonment job ${job?.name} ${job?.id} failed: ${error.message}`);
  }
}
