import { DynamicModule, Module } from '@nestjs/common';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/app-config';
import { AdminModule } from '../admin/admin.module';
import { MlModule } from '../ml/ml.module';
import { SourcesModule } from '../sources/sources.module';

/** What CLI commands need: the core (config, database, Redis) and the services they drive, no HTTP and no jobs. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: CliModule, imports: [AppModule.core(config), SourcesModule, MlModule.forCli(), AdminModule] };
  }
}
