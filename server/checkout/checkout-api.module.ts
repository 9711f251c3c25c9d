import { Module } from '@nestjs/common';
import { DiscountsModule } from '../discounts/discounts.module';
import { SourceRateLimit } from '../common/source-rate-limit';
import { IngestGateway } from '../ingestion/ingest-gateway';
import { PaymentsModule } from '../payments/payments.module';
import { SourcesModule } from '../sources/sources.module';
import { AddressesController } from './addresses.controller';
import { ADDRESS_PROVIDERS } from './addresses/address-providers';
import { CheckoutsController } from './checkouts.controller';
import { CheckoutCompletionService } from './completion/checkout-completion.service';
import { CompletionReconciler } from './completion/completion-reconciler';
import { LandingController } from './landing/landing.controller';
import { LandingService } from './landing/landing.service';
import { ProfilesController } from './profiles/profiles.controller';
import { ProfilesService } from './profiles/profiles.service';
import { CheckoutSessionsService } from './sessions/checkout-sessions.service';
import { StorefrontGateway } from './storefront-gateway';

/**
 * The storefront-facing checkout routes of the API role: addresses (write key), profiles and the checkout API
 * (server key), and the checkout page reminders link to (signed link).
 */
@Module({
  imports: [SourcesModule, DiscountsModule, PaymentsModule],
  controllers: [AddressesController, ProfilesController, CheckoutsController, LandingController],
  providers: [IngestGateway, SourceRateLimit, StorefrontGateway, ProfilesService, CheckoutSessionsService, CheckoutCompletionService, CompletionReconciler, LandingService, ...ADDRESS_PROVIDERS],
})
export class CheckoutApiModule {}
