import { Module } from '@nestjs/common';
import { ExperimentsModule } from '../experiments/experiments.module';
import { ReportFolder } from './report-folder';
import { ReportsController } from './reports.controller';

/** The console's reports, read from rollups this module keeps current (`report-folder.ts`). */
@Module({ imports: [ExperimentsModule], providers: [ReportFolder], controllers: [ReportsController] })
export class ReportsModule {}
