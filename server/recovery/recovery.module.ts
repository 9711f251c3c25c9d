import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { AppConfig, runsScheduler, runsWorkers, servesHttpApi } from '../config/app-config';
import { AbandonCheckout } from './abandonment/abandon-checkout';
import { AbandonmentProcessor } from './abandonment/abandonment.processor';
import { AbandonmentSweep } from './abandonment/abandonment-sweep';
import { EmailChannelModule } from './channels/email/email.module';
import { PushChannelModule } from './channels/push/push.module';
import { SmsChannelModule } from './channels/sms/sms.module';
import { ConsentModule } from './consent/consent.module';
import { EngagementController } from './engagement/engagement.controller';
import { EngagementService } from './engagement/engagement.service';
import { DiscountsModule } from '../discounts/discounts.module';
import { MlModule } from '../ml/ml.module';
import { MessageOffers } from './offers/message-offer';
import { RecoveryPolicy } from '../ml/recovery-policy';
import { LinksModule } from './links/links.module';
import { Planning, PLANNING } from './planning/next-message';
import { disabledChannels } from './channels/channel-status';
import { MessageScheduler } from './scheduling/message-scheduler';
import { PeriodicJobs } from './scheduling/periodic-jobs';
import { PlanEnrollment } from './scheduling/plan-enrollment';
import { Reconciler } from './scheduling/reconciler';
import { RecoveryProcessor } from './scheduling/recovery.processor';
import { SeedDefaults } from './seed/seed-defaults';
import { ChannelSenders } from './sending/channel-senders';
import { MESSAGE_COMPOSER } from './sending/message-composer';
import { SendMessage } from './sending/send-message';
import { SendPool } from './sending/send-pool';
import { TemplateComposer } from './sending/template-composer';

/**
 * The recovery engine: abandonment, planning, scheduling, sending, suppression, engagement. Every role can
 * plan and schedule; workers run the queue processors, the scheduler enqueues the periodic sweep, and the
 * API serves the links inside messages.
 */
@Module({})
export class RecoveryModule {
  static forRoot(config: AppConfig): DynamicModule {
    const providers: Provider[] = [
      EngagementService,
      MessageScheduler,
      AbandonmentSweep,
      AbandonCheckout,
      Reconciler,
      PlanEnrollment,
      SendMessage,
      SendPool,
      ChannelSenders,
      SeedDefaults,
      MessageOffers,
      { provide: MESSAGE_COMPOSER, useClass: TemplateComposer },
      {
        provide: PLANNING,
        inject: [RecoveryPolicy],
        // Channels whose configuration is missing are never planned (channels/channel-status.ts).
        useFactory: (policy: RecoveryPolicy): Planning => ({ timeScale: config.campaignTimeScale, policy, disabledChannels: disabledChannels(config) }),
      },
    ];
    if (runsWorkers(config.role)) providers.push(RecoveryProcessor, AbandonmentProcessor);
    if (runsScheduler(config.role)) providers.push(PeriodicJobs);
    const controllers: Type[] = servesHttpApi(config.role) ? [EngagementController] : [];
    return {
      module: RecoveryModule,
      imports: [ConsentModule, LinksModule, EmailChannelModule, PushChannelModule, SmsChannelModule, MlModule.forRoot(config), DiscountsModule],
      providers,
      controllers,
      exports: [AbandonmentSweep, AbandonCheckout, SendMessage, Reconciler, PlanEnrollment, MessageScheduler],
    };
  }
}
