import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { DiscountsModule } from '../discounts/discounts.module';
import { AppConfig, runsScheduler, runsWorkers, servesHttpApi } from '../config/app-config';
import { DiscountRulesSnapshot } from './discount-rules-snapshot';
import { MlController } from './ml.controller';
import { ModelRegistry } from './model-registry';
import { ModelVersions } from './model-versions.service';
import { NextDecisionPreviews } from './next-decision-preview';
import { NightlyTraining } from './nightly-training';
import { RecoveryPolicy } from './recovery-policy';
import { SendTimeLearning } from './send-time-learning';
import { TrainingProcessor } from './training.processor';
import { TrainingRunner } from './training-runner';
import { TrainingRuns } from './training-runs.service';

const BASE_PROVIDERS = [ModelRegistry, DiscountRulesSnapshot, SendTimeLearning, RecoveryPolicy, TrainingRunner, TrainingRuns, ModelVersions];

/**
 * The learning side of recovery: the decision policy planning consults, the promoted model every process
 * loads, training runs (nightly, asked for, or by CLI) and the operations API over versions and runs.
 */
@Module({})
export class MlModule {
  static forRoot(config: AppConfig): DynamicModule {
    const providers: Provider[] = [...BASE_PROVIDERS];
    if (runsWorkers(config.role)) providers.push(TrainingProcessor);
    if (runsScheduler(config.role)) providers.push(NightlyTraining);
    const controllers: Type[] = [];
    if (servesHttpApi(config.role)) {
      controllers.push(MlController);
      providers.push(NextDecisionPreviews);
    }
    return { module: MlModule, imports: [DiscountsModule], providers, controllers, exports: BASE_PROVIDERS };
  }

  /** For CLI commands: the services, without a queue worker, a cron or routes. */
  static forCli(): DynamicModule {
    return { module: MlModule, imports: [DiscountsModule], providers: BASE_PROVIDERS, exports: BASE_PROVIDERS };
  }
}
