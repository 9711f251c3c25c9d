import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/app-config';

const STRIPE = { STRIPE_SECRET_KEY: 'sk_test_0123456789abcdef' };
const ADYEN = { ADYEN_API_KEY: 'AQE1234567890abcdefXYZ', ADYEN_MERCHANT_ACCOUNT: 'ShopECOM' };

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('payment configuration', () => {
  it('has no provider and the documented defaults when nothing is set', () => {
    expect(loadConfig({}).payments).toEqual({ providers: [], stripe: undefined, adyen: undefined, timeoutMs: 10_000, maxAttemptsPerCard: 10 });
  });

  it('routes to the configured providers in order, skipping those without credentials', () => {
    expect(loadConfig({ ...STRIPE, ...ADYEN }).payments.providers).toEqual(['stripe', 'adyen']);
    expect(loadConfig({ ...STRIPE, ...ADYEN, PAYMENT_PROVIDERS: 'adyen, Stripe' }).payments.providers).toEqual(['adyen', 'stripe']);
    expect(loadConfig({ ...ADYEN }).payments.providers).toEqual(['adyen']);
    expect(loadConfig({ ...STRIPE, ...ADYEN, PAYMENT_PROVIDERS: 'stripe' }).payments.providers).toEqual(['stripe']);
  });

  it('reads each provider with its API base (trailing slash dropped)', () => {
    const config = loadConfig({ ...STRIPE, ...ADYEN, STRIPE_API_BASE: 'http://127.0.0.1:4010/', ADYEN_API_BASE: 'https://127.0.0.1:4011/v72/', PAYMENT_TIMEOUT_MS: '2500', PAYMENT_MAX_ATTEMPTS_PER_CARD: '3' });
    expect(config.payments).toEqual({
      providers: ['stripe', 'adyen'],
      stripe: { secretKey: 'sk_test_0123456789abcdef', apiBase: 'http://127.0.0.1:4010' },
      adyen: { apiKey: 'AQE1234567890abcdefXYZ', merchantAccount: 'ShopECOM', apiBase: 'https://127.0.0.1:4011/v72' },
      timeoutMs: 2500,
      maxAttemptsPerCard: 3,
    });
    expect(loadConfig(STRIPE).payments.stripe?.apiBase).toBe('https://api.stripe.com');
    expect(loadConfig(ADYEN).payments.adyen?.apiBase).toBe('https://checkout-test.adyen.com/v72');
  });

  it('names every malformed payment variable', () => {
    const text = problems({
      PAYMENT_PROVIDERS: 'stripe,paypal',
      STRIPE_SECRET_KEY: 'pk_test_123',
      STRIPE_API_BASE: 'ftp://stripe',
      ADYEN_API_BASE: 'http://127.0.0.1:1',
      PAYMENT_TIMEOUT_MS: '5',
      PAYMENT_MAX_ATTEMPTS_PER_CARD: 'many',
    });
    expect(text).toContain('PAYMENT_PROVIDERS: must be a comma-separated list of distinct providers among stripe, adyen (got "stripe,paypal")');
    expect(text).toContain('STRIPE_SECRET_KEY: must be a Stripe secret key');
    expect(text).toContain('STRIPE_API_BASE: must be a URL starting with http:// or https://');
    expect(text).toContain('ADYEN_API_BASE: must be a URL starting with https://');
    expect(text).toContain('PAYMENT_TIMEOUT_MS: must be a whole number between 100 and 120000');
    expect(text).toContain('PAYMENT_MAX_ATTEMPTS_PER_CARD: must be a whole number between 1 and 1000');
  });

  it('refuses a provider listed twice, and half an Adyen configuration', () => {
    expect(problems({ PAYMENT_PROVIDERS: 'stripe,stripe' })).toContain('PAYMENT_PROVIDERS: must be a comma-separated list of distinct providers');
    expect(problems({ ADYEN_API_KEY: ADYEN.ADYEN_API_KEY })).toContain('ADYEN_MERCHANT_ACCOUNT: is required when ADYEN_API_KEY is set');
  });
});
