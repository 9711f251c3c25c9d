import { DynamicModule, Module } from '@nestjs/common';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/app-config';
import { AdminModule } from '../admin/admin.module';
import { SourcesAdminService } from '../admin/resources/sources/sources.service';
import { UsersAdminService } from '../admin/resources/users/users.service';
import { MlModule } from '../ml/ml.module';
import { SourcesModule } from '../sources/sources.module';

/**
 * What CLI commands need: the core (config, database, Redis) and the services they drive, no HTTP and no jobs.
 * Commands that change something go through the console's own services (sources, users), which write the change
 * and its audit entry in one transaction.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: CliModule, imports: [AppModule.core(config), SourcesModule, MlModule.forCli(), AdminModule], providers: [SourcesAdminService, UsersAdminService] };
  }
}
