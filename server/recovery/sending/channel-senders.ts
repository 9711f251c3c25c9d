import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ChannelKind } from '../../../campaigns/types';
import type { ChannelSender } from '../channels/channel';
import { EMAIL_SENDER } from '../channels/email/email-sender';
import { PUSH_SENDER } from '../channels/push/push-sender';
import { SMS_SENDER } from '../channels/sms/sms-sender';

/** The configured sender of each channel; a disabled one is reported at start-up. */
@Injectable()
export class ChannelSenders implements OnModuleInit {
  private readonly logger = new Logger('Channels');
  private readonly byKind: Record<ChannelKind, ChannelSender>;

  constructor(@Inject(EMAIL_SENDER) email: ChannelSender<'email'>, @Inject(PUSH_SENDER) push: ChannelSender<'push'>, @Inject(SMS_SENDER) sms: ChannelSender<'sms'>) {
    this.byKind = { email, push, sms } as Record<ChannelKind, ChannelSender>;
  }

  onModuleInit() {
    const states = Object.values(this.byKind).map((s) => `${s.kind} ${s.enabled ? 'enabled' : 'DISABLED'}`);
    this.logger.log(`channels: ${states.join(', ')}`);
  }

  get(kind: ChannelKind): ChannelSender {
    return this.byKind[kind];
  }

  enabled(kind: ChannelKind): boolean {
    return this.byKind[kind].enabled;
  }
}
