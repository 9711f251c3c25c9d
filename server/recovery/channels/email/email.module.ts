import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { EMAIL_SENDER, EmailSender } from './email-sender';

/** The email channel: exports its ChannelSender as EMAIL_SENDER (disabled, and said so at start-up, without SMTP_URL). */
@Module({
  providers: [
    {
      provide: EMAIL_SENDER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const sender = new EmailSender(config);
        if (!sender.enabled) new Logger('EmailChannel').warn('email channel disabled: SMTP_URL is not set');
        return sender;
      },
    },
  ],
  exports: [EMAIL_SENDER],
})
export class EmailChannelModule implements OnApplicationShutdown {
  constructor(@Inject(EMAIL_SENDER) private readonly sender: EmailSender) {}

  onApplicationShutdown() {
    this.sender.close();
  }
}
