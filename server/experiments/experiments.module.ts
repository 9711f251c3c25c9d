import { Module } from '@nestjs/common';
import { ExperimentSettingsService } from './experiment-settings';
import { ExperimentsController } from './experiments.controller';
import { OutcomeSettler } from './outcome-settler';

/** Holdouts and A/B/n tests: the outcome settler that keeps the lift rollups, the Lift report, the store-wide holdout. */
@Module({ providers: [OutcomeSettler, ExperimentSettingsService], controllers: [ExperimentsController], exports: [OutcomeSettler] })
export class ExperimentsModule {}
