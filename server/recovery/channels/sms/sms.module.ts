import { Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { ConsentModule } from '../../consent/consent.module';
import { SMS_SENDER, SmsSender } from './sms-sender';
import { TwilioWebhooksController } from './twilio-webhooks.controller';
import { TwilioWebhooksService } from './twilio-webhooks.service';

/**
 * The sms channel: Twilio's Messages API behind `SMS_SENDER`, and Twilio's inbound and status webhooks.
 */
@Module({
  imports: [ConsentModule],
  controllers: [TwilioWebhooksController],
  providers: [SmsSender, { provide: SMS_SENDER, useExisting: SmsSender }, TwilioWebhooksService],
  exports: [SMS_SENDER],
})
export class SmsChannelModule implements OnApplicationBootstrap {
  constructor(
    @Inject(SMS_SENDER) private readonly sender: SmsSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    const logger = new Logger('SmsChannel');
    if (!this.sender.enabled) {
      logger.warn('SMS channel disabled: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM to send SMS');
      return;
    }
    const host = new URL(this.config.publicUrl).hostname;
    if (host === 'localhost' || host.startsWith('127.') || host === '[::1]') {
      logger.warn(`PUBLIC_URL is ${this.config.publicUrl}: Twilio cannot reach it, so delivery reports and STOP replies will not arrive (set PUBLIC_URL to the public address Twilio calls)`);
    }
  }
}
