import Stripe from 'stripe';
import { stripeDeclineCode } from './failover-policy';
import type { ChargeOutcome, ChargeRequest, ChargeStatus, PaymentProvider, SettleRequest } from './payment-provider';

export interface StripeProviderOptions {
  secretKey: string;
  /** https://api.stripe.com, or a local peer. */
  apiBase: string;
  timeoutMs: number;
}

/** PaymentIntent states a cancel can still end: nothing has been (or will be) captured from them. */
const CANCELLABLE = new Set<Stripe.PaymentIntent.Status>(['requires_payment_method', 'requires_confirmation', 'requires_action', 'requires_capture']);

/**
 * Stripe PaymentIntents in two steps, so that "no charge happened" can be proven: the intent is created
 * unconfirmed (which can never move money), its id is recorded by the caller, and only then confirmed. An attempt
 * with no recorded id was therefore never confirmed; one with an id is settled by reading the intent and cancelling
 * it if it is not yet paid.
 */
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(options: StripeProviderOptions) {
    const base = new URL(options.apiBase);
    const protocol = base.protocol === 'http:' ? 'http' : 'https';
    this.stripe = new Stripe(options.secretKey, {
      host: base.hostname,
      port: base.port ? Number(base.port) : protocol === 'http' ? 80 : 443,
      protocol,
      // Every retry is ours to decide (failover policy); the SDK still retries a reset connection once, with the
      // same idempotency key, which is harmless.
      maxNetworkRetries: 0,
      timeout: options.timeoutMs,
      telemetry: false,
    });
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.create(request);
    } catch (error) {
      return outcomeOfError(error);
    }
    // If this throws, nothing is confirmed: the error is the caller's, and settle will find nothing charged.
    await request.recordReference(intent.id);
    try {
      intent = await this.stripe.paymentIntents.confirm(intent.id, { off_session: true }, { idempotencyKey: `${request.idempotencyKey}:confirm` });
    } catch (error) {
      return outcomeOfError(error, intent.id);
    }
    return outcomeOfIntent(intent);
  }

  async settle(request: SettleRequest): Promise<ChargeStatus> {
    if (!request.providerReference) {
      // Confirm is only sent once the intent's id is recorded, so this attempt charged nothing. Replaying the create
      // (Stripe answers a known key with the stored intent) finds any intent it made, which is then cancelled so
      // nothing confirmable is left behind; if that fails, the intent simply stays unconfirmed.
      try {
        const intent = await this.create(request);
        if (CANCELLABLE.has(intent.status)) await this.cancel(request, intent.id);
      } catch (error) {
        return { kind: 'not_charged', note: `never confirmed; left as is: ${describe(error)}` };
      }
      return { kind: 'not_charged', note: 'never confirmed' };
    }
    try {
      const intent = await this.stripe.paymentIntents.retrieve(request.providerReference);
      return await this.settleIntent(request, intent);
    } catch (error) {
      return { kind: 'unknown', message: `Stripe could not tell whether ${request.providerReference} was charged: ${describe(error)}` };
    }
  }

  private async settleIntent(request: SettleRequest, intent: Stripe.PaymentIntent): Promise<ChargeStatus> {
    if (intent.status === 'succeeded') return { kind: 'charged', providerReference: intent.id };
    if (intent.status === 'canceled') return { kind: 'not_charged' };
    if (!CANCELLABLE.has(intent.status)) return { kind: 'unknown', message: `PaymentIntent ${intent.id} is ${intent.status}` };
    try {
      const cancelled = await this.cancel(request, intent.id);
      if (cancelled.status === 'canceled') return { kind: 'not_charged', note: `cancelled ${intent.id}` };
    } catch (error) {
      // The intent moved on between our read and the cancel (a confirm still in flight): read it once more.
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
    }
    const latest = await this.stripe.paymentIntents.retrieve(intent.id);
    if (latest.status === 'succeeded') return { kind: 'charged', providerReference: latest.id };
    if (latest.status === 'canceled') return { kind: 'not_charged' };
    return { kind: 'unknown', message: `PaymentIntent ${latest.id} is ${latest.status} and could not be cancelled` };
  }

  private create(request: SettleRequest): Promise<Stripe.PaymentIntent> {
    return this.stripe.paymentIntents.create(
      {
        amount: request.amountMinor,
        currency: request.currency.toLowerCase(),
        payment_method: request.token,
        // A saved card charged without the shopper: nothing may redirect (that would need a return_url and a shopper).
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        // Stripe customers are `cus_...`; a merchant's own customer id is only carried in metadata.
        ...(request.customerRef?.startsWith('cus_') ? { customer: request.customerRef } : {}),
        confirm: false,
        description: request.description,
        metadata: { ...request.metadata, reference: request.idempotencyKey },
      },
      { idempotencyKey: `${request.idempotencyKey}:create` },
    );
  }

  private cancel(request: SettleRequest, intentId: string): Promise<Stripe.PaymentIntent> {
    return this.stripe.paymentIntents.cancel(intentId, { cancellation_reason: 'abandoned' }, { idempotencyKey: `${request.idempotencyKey}:cancel` });
  }
}

function outcomeOfIntent(intent: Stripe.PaymentIntent): ChargeOutcome {
  switch (intent.status) {
    case 'succeeded':
      return { kind: 'succeeded', providerReference: intent.id };
    case 'requires_action':
      return { kind: 'declined', code: 'authentication_required', providerCode: 'requires_action', message: 'the card asks for authentication the shopper is not here to give', providerReference: intent.id };
    case 'processing':
      // Not final: settle decides (a processing intent settles as unknown and is held).
      return { kind: 'unavailable', fault: 'server_error', message: `PaymentIntent ${intent.id} is still processing` };
    default:
      return { kind: 'declined', code: 'card_declined', providerCode: intent.status, message: `PaymentIntent ${intent.id} is ${intent.status}`, providerReference: intent.id };
  }
}

function outcomeOfError(error: unknown, intentId?: string): ChargeOutcome {
  if (error instanceof Stripe.errors.StripeCardError) {
    const providerCode = error.decline_code ?? error.code ?? 'card_declined';
    return { kind: 'declined', code: stripeDeclineCode(error), providerCode, message: error.message, providerReference: intentId };
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const timedOut = /timeout/i.test(error.message);
    return { kind: 'unavailable', fault: timedOut ? 'timeout' : 'network', message: error.message };
  }
  if (error instanceof Stripe.errors.StripeError) {
    const status = error.statusCode;
    // 409: a request with this key is still being processed, so whether it charges is not known yet.
    if (status === undefined || status >= 500 || status === 409) {
      return { kind: 'unavailable', fault: 'server_error', status, message: error.message };
    }
    // Refused outright (invalid token, authentication, rate limit): nothing was processed, and no failover either.
    return { kind: 'declined', code: 'processing_error', providerCode: error.code ?? error.type, message: error.message, providerReference: intentId };
  }
  return { kind: 'unavailable', fault: 'network', message: describe(error) };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
