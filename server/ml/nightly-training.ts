import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { CLOCK, Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TrainingRuns } from './training-runs.service';

const JOB_NAME = 'nightly-training';

/** The scheduler role enqueues one training run per night (ML_TRAIN_CRON); replicas agree on it by date. */
@Injectable()
export class NightlyTraining implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NightlyTraining.name);

  constructor(
    private readonly runs: TrainingRuns,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap() {
    const job = CronJob.from({
      cronTime: this.config.ml.trainCron,
      timeZone: this.config.ml.trainTimezone,
      onTick: () => void this.enqueue().catch((error: Error) => this.logger.warn(`could not enqueue the nightly training: ${error.message}`)),
      start: true,
    });
    this.registry.addCronJob(JOB_NAME, job);
  }

  onModuleDestroy() {
    if (this.registry.doesExist('cron', JOB_NAME)) this.registry.deleteCronJob(JOB_NAME);
  }

  async enqueue() {
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: this.config.ml.trainTimezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(this.clock.now());
    const run = await this.runs.request('nightly', { dedupeKey: `nightly.${day}`, requestedBy: 'schedule' });
    this.logger.log(`nightly training for ${day}: run ${run.id} (${run.status})`);
  }
}
