import { Global, Module } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { SettingsService } from '../../settings/settings.service';
import { SIGNED_LINKS, SignedLinks } from './signed-links';

/** Signed tracking links, keyed by a secret generated on first start and shared by every process. */
@Global()
@Module({
  providers: [
    {
      provide: SIGNED_LINKS,
      inject: [APP_CONFIG, SettingsService],
      useFactory: async (config: AppConfig, settings: SettingsService) =>
        new SignedLinks(config.publicUrl, await settings.getOrCreate('link_signing_secret', () => randomBytes(32).toString('base64url'))),
    },
  ],
  exports: [SIGNED_LINKS],
})
export class LinksModule {}
