import { DynamicModule, Global, Module, ModuleMetadata } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AdminModule } from './admin/admin.module';
import { AdminResourcesModule } from './admin/resources/admin-resources.module';
import { CheckoutApiModule } from './checkout/checkout-api.module';
import { CLOCK, Clock, systemClock } from './common/clock';
import { ConsoleModule } from './console/console.module';
import { APP_CONFIG, AppConfig, runsScheduler, servesHttpApi } from './config/app-config';
import { DatabaseModule } from './database/database.module';
import { DiscountsApiModule } from './discounts/discounts-api.module';
import { HealthModule } from './health/health.module';
import { IngestionModule } from './ingestion/ingestion.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueModule } from './queue/queue.module';
import { RecoveryModule } from './recovery/recovery.module';
import { RedisModule } from './redis/redis.module';
import { ReportsModule } from './reports/reports.module';
import { SettingsModule } from './settings/settings.module';
import { TrackerModule } from './tracker/tracker.module';

@Global()
@Module({})
class CoreModule {
  static with(config: AppConfig, clock: Clock): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [APP_CONFIG, CLOCK],
    };
  }
}

@Module({})
class AppCoreModule {}

export interface AppOptions {
  clock?: Clock;
}

/** The modules a process loads depend on its role: `api` serves HTTP, `worker` runs jobs, `scheduler` runs crons. */
@Module({})
export class AppModule {
  /** Configuration, clock, database, Redis, queues and metrics: what every process needs. */
  static core(config: AppConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: AppCoreModule,
      imports: [CoreModule.with(config, options.clock ?? systemClock), DatabaseModule, RedisModule, QueueModule, MetricsModule, SettingsModule],
    };
  }

  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    const imports: NonNullable<ModuleMetadata['imports']> = [AppModule.core(config, options), HealthModule, RecoveryModule.forRoot(config)];
    if (servesHttpApi(config.role)) imports.push(IngestionModule, TrackerModule, DiscountsApiModule, CheckoutApiModule, AdminModule, ConsoleModule);
    if (servesHttpApi(config.role)) imports.push(AdminResourcesModule, ReportsModule);
    if (runsScheduler(config.role)) imports.push(ScheduleModule.forRoot());
    return { module: AppModule, imports };
  }
}
