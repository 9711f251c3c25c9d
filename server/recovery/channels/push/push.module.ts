import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { PushController } from './push.controller';
import { PUSH_SENDER, PUSH_SERVICE_HOSTS, PushSender } from './push-sender';
import { VapidKeys, vapidKeysProvider } from './vapid-keys';

/**
 * The push channel: Web Push with VAPID. Exports its ChannelSender as PUSH_SENDER and the deployment's
 * VapidKeys (configured, or generated once and stored in `settings`; see VapidKeys for the subject default).
 * Serves GET /v1/push/vapid-public-key, /push-sw.js and /push.js.
 */
@Module({
  controllers: [PushController],
  providers: [
    vapidKeysProvider,
    PushSender,
    { provide: PUSH_SENDER, useExisting: PushSender },
    { provide: PUSH_SERVICE_HOSTS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.pushServiceHosts },
  ],
  exports: [PUSH_SENDER, VapidKeys],
})
export class PushChannelModule {}
