import { Module } from '@nestjs/common';
import { ReportFolder } from './report-folder';
import { ReportsController } from './reports.controller';

/** The console's reports, read from rollups this module keeps current (`report-folder.ts`). */
@Module({ providers: [ReportFolder], controllers: [ReportsController] })
export class ReportsModule {}
