import { Module } from '@nestjs/common';
import { EmailChannelModule } from './channels/email/email.module';
import { PushChannelModule } from './channels/push/push.module';
import { SmsChannelModule } from './channels/sms/sms.module';
import { OptOutService } from './consent/opt-out.service';
import { LinksModule } from './links/links.module';

/** The recovery engine: abandonment, planning, scheduling, sending, suppression, engagement. */
@Module({
  imports: [LinksModule, EmailChannelModule, PushChannelModule, SmsChannelModule],
  providers: [OptOutService],
  exports: [OptOutService],
})
export class RecoveryModule {}
