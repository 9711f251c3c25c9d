import { Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AdyenProvider } from './adyen-provider';
import type { PaymentProvider, PaymentProviderName } from './payment-provider';
import { PAYMENT_PROVIDER_LIST, PaymentRouter } from './payment-router';
import { StripeProvider } from './stripe-provider';

/** The enabled providers in routing order; one without credentials is left out. */
export function createPaymentProviders(config: AppConfig): PaymentProvider[] {
  const { payments } = config;
  const build: Record<PaymentProviderName, () => PaymentProvider | undefined> = {
    stripe: () => payments.stripe && new StripeProvider({ ...payments.stripe, timeoutMs: payments.timeoutMs }),
    adyen: () => payments.adyen && new AdyenProvider({ ...payments.adyen, timeoutMs: payments.timeoutMs, returnUrl: config.publicUrl }),
  };
  return payments.providers.flatMap((name) => build[name]() ?? []);
}

/** The payment gateway: `PaymentRouter` over the providers configured in PAYMENT_PROVIDERS. */
@Module({
  providers: [{ provide: PAYMENT_PROVIDER_LIST, inject: [APP_CONFIG], useFactory: createPaymentProviders }, PaymentRouter],
  exports: [PaymentRouter],
})
export class PaymentsModule implements OnApplicationBootstrap {
  constructor(@Inject(PAYMENT_PROVIDER_LIST) private readonly providers: PaymentProvider[]) {}

  onApplicationBootstrap() {
    const logger = new Logger('Payments');
    if (this.providers.length === 0) logger.warn('no payment provider configured: set STRIPE_SECRET_KEY, or ADYEN_API_KEY and ADYEN_MERCHANT_ACCOUNT, to take payments');
    else logger.log(`payment providers in routing order: ${this.providers.map((p) => p.name).join(', ')}`);
  }
}
