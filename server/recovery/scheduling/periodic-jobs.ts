import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CLOCK, Clock } from '../../common/clock';
import { QUEUES } from '../../queue/queues';

/**
 * The scheduler role's only work: every SWEEP_INTERVAL_S, enqueue one `sweep` and one `reconcile` job.
 * Their ids are derived from the time slot, so several schedulers (or a restart) never double them.
 */
@Injectable()
export class PeriodicJobs implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PeriodicJobs.name);

  constructor(
    @InjectQueue(QUEUES.abandonment) private readonly queue: Queue,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap() {
    const tick = () => void this.enqueue().catch((error: Error) => this.logger.warn(`could not enqueue periodic jobs: ${error.message}`));
    this.registry.addInterval('recovery-sweep', setInterval(tick, this.config.sweepIntervalMs));
    tick();
  }

  onModuleDestroy() {
    if (this.registry.doesExist('interval', 'recovery-sweep')) this.registry.deleteInterval('recovery-sweep');
  }

  async enqueue() {
    const slot = Math.floor(this.clock.now().getTime() / this.config.sweepIntervalMs);
    const opts = { removeOnComplete: 100, removeOnFail: 100 };
    await this.queue.addBulk([
      { name: 'sweep', data: {}, opts: { ...opts, jobId: `sweep.${slot}` } },
      { name: 'reconcile', data: {}, opts: { ...opts, jobId: `reconcile.${slot}` } },
    ]);
  }
}
