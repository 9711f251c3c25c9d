import { CheckoutAPI, Client, EnvironmentEnum, HttpClientException, Types } from '@adyen/api-library';
import { adyenDeclineCode } from './failover-policy';
import type { ChargeOutcome, ChargeRequest, ChargeStatus, PaymentProvider, SettleRequest } from './payment-provider';

type PaymentRequest = Types.checkout.PaymentRequest;
type PaymentResponse = Types.checkout.PaymentResponse;
const { ResultCodeEnum } = Types.checkout.PaymentResponse;

export interface AdyenProviderOptions {
  apiKey: string;
  merchantAccount: string;
  /** The Checkout API base including its version, e.g. https://checkout-test.adyen.com/v72 (or a local peer). */
  apiBase: string;
  /** Required by the API's schema; a card-on-file payment never redirects the shopper there. */
  returnUrl: string;
  timeoutMs: number;
}

/**
 * Adyen Checkout with stored cards (ContAuth, unscheduled card-on-file). Each payment is authorised with manual
 * capture, its pspReference recorded by the caller, and only then captured: the same two steps as Stripe's
 * create/confirm, so that an attempt whose authorisation answer we never read provably has no capture.
 *
 * Why settle returns what it does. Adyen has no synchronous "status of my payment" call; after a timeout its
 * documented move is a technical cancel by our own reference (`POST /cancels` with `paymentReference`), which Adyen
 * only acknowledges (`received`) and resolves later by webhook. That acknowledgement alone cannot say whether a
 * captured payment was undone. So settle leans on our own order of steps instead:
 * - no recorded pspReference: we never read an authorisation, hence never captured, and a manual-capture
 *   authorisation is never captured by Adyen on its own. Nothing is charged; the technical cancel releases the hold
 *   on the shopper's card (and if it cannot be sent, the hold lapses by itself) → `not_charged`.
 * - a recorded pspReference: Adyen authorised it and we may or may not have sent the capture. The capture is
 *   replayed with its idempotency key (Adyen returns the first answer, or captures now) → `charged`; if Adyen cannot
 *   be reached → `unknown`, held for reconciliation.
 */
export class AdyenProvider implements PaymentProvider {
  readonly name = 'adyen' as const;
  private readonly payments: ReturnType<typeof paymentsApi>;
  private readonly modifications: ReturnType<typeof modificationsApi>;

  constructor(private readonly options: AdyenProviderOptions) {
    // The library talks HTTPS only (https.request) and trusts Node's CA store, NODE_EXTRA_CA_CERTS included.
    const client = new Client({ apiKey: options.apiKey, environment: EnvironmentEnum.TEST, connectionTimeoutMillis: options.timeoutMs });
    const base = options.apiBase.replace(/\/$/, '');
    this.payments = paymentsApi(client);
    this.modifications = modificationsApi(client);
    // Each service builds its URLs from `baseUrl` (private in the typings, the library's documented override for
    // live prefixes and regional endpoints).
    setBaseUrl(this.payments, base);
    setBaseUrl(this.modifications, base);
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const started = Date.now();
    let response: PaymentResponse;
    try {
      response = await this.payments.payments(this.paymentRequest(request), { idempotencyKey: request.idempotencyKey });
    } catch (error) {
      return this.outcomeOfError(error, started);
    }
    switch (response.resultCode) {
      case ResultCodeEnum.Authorised:
        break;
      case ResultCodeEnum.Refused: {
        const refusal = { refusalReason: response.refusalReason, refusalReasonCode: response.refusalReasonCode, refusalReasonRaw: response.additionalData?.refusalReasonRaw };
        return {
          kind: 'declined',
          code: adyenDeclineCode(refusal),
          providerCode: response.refusalReasonCode ?? response.refusalReason ?? 'Refused',
          message: response.refusalReason ?? 'Refused',
          providerReference: response.pspReference,
        };
      }
      case ResultCodeEnum.Received:
      case ResultCodeEnum.Pending:
        // Not final, and never captured by us: settle cancels it.
        return { kind: 'unavailable', fault: 'server_error', message: `Adyen answered ${response.resultCode}` };
      case ResultCodeEnum.RedirectShopper:
      case ResultCodeEnum.ChallengeShopper:
      case ResultCodeEnum.IdentifyShopper:
        await this.technicalCancel(request).catch(() => undefined);
        return { kind: 'declined', code: 'authentication_required', providerCode: String(response.resultCode), message: 'the card asks for authentication the shopper is not here to give', providerReference: response.pspReference };
      case ResultCodeEnum.PartiallyAuthorised:
        await this.technicalCancel(request).catch(() => undefined);
        return { kind: 'declined', code: 'insufficient_funds', providerCode: 'PartiallyAuthorised', message: 'only part of the amount was authorised', providerReference: response.pspReference };
      default:
        return { kind: 'declined', code: 'processing_error', providerCode: String(response.resultCode), message: response.refusalReason ?? `Adyen answered ${response.resultCode}`, providerReference: response.pspReference };
    }
    const pspReference = response.pspReference;
    if (!pspReference) return { kind: 'unavailable', fault: 'server_error', message: 'Adyen authorised without a pspReference' };
    // If this throws, nothing is captured: the error is the caller's, and settle will find nothing charged.
    await request.recordReference(pspReference);
    const captureStarted = Date.now();
    try {
      await this.capture(request, pspReference);
    } catch (error) {
      return this.outcomeOfError(error, captureStarted);
    }
    return { kind: 'succeeded', providerReference: pspReference };
  }

  async settle(request: SettleRequest): Promise<ChargeStatus> {
    if (!request.providerReference) {
      try {
        await this.technicalCancel(request);
        return { kind: 'not_charged', note: 'never captured; technical cancel received' };
      } catch (error) {
        return { kind: 'not_charged', note: `never captured; the authorisation, if any, lapses uncaptured (technical cancel failed: ${describe(error)})` };
      }
    }
    try {
      await this.capture(request, request.providerReference);
      return { kind: 'charged', providerReference: request.providerReference };
    } catch (error) {
      return { kind: 'unknown', message: `Adyen authorised ${request.providerReference}; capturing it failed: ${describe(error)}` };
    }
  }

  private paymentRequest(request: ChargeRequest): PaymentRequest {
    return {
      merchantAccount: this.options.merchantAccount,
      reference: request.idempotencyKey,
      amount: { value: request.amountMinor, currency: request.currency.toUpperCase() },
      returnUrl: this.options.returnUrl,
      paymentMethod: { type: Types.checkout.CardDetails.TypeEnum.Scheme, storedPaymentMethodId: request.token },
      shopperReference: request.customerRef,
      shopperInteraction: Types.checkout.PaymentRequest.ShopperInteractionEnum.ContAuth,
      recurringProcessingModel: Types.checkout.PaymentRequest.RecurringProcessingModelEnum.UnscheduledCardOnFile,
      additionalData: { manualCapture: 'true' },
      metadata: request.metadata,
    };
  }

  private capture(request: SettleRequest, pspReference: string) {
    return this.modifications.captureAuthorisedPayment(
      pspReference,
      { merchantAccount: this.options.merchantAccount, amount: { value: request.amountMinor, currency: request.currency.toUpperCase() }, reference: request.idempotencyKey },
      { idempotencyKey: `${request.idempotencyKey}:capture` },
    );
  }

  private technicalCancel(request: SettleRequest) {
    return this.modifications.cancelAuthorisedPayment(
      { merchantAccount: this.options.merchantAccount, paymentReference: request.idempotencyKey, reference: `${request.idempotencyKey}:cancel` },
      { idempotencyKey: `${request.idempotencyKey}:cancel` },
    );
  }

  private outcomeOfError(error: unknown, started: number): ChargeOutcome {
    // An HTTP answer is an HttpClientException; the library reports a dropped connection as an ApiException with a
    // made-up status 500, so only HttpClientException statuses are real (and the library's own 401 for a missing key).
    const status = error instanceof HttpClientException ? error.statusCode : (error as { statusCode?: number }).statusCode === 401 ? 401 : undefined;
    if (status !== undefined && status >= 400 && status < 500) {
      // Refused outright (validation, unknown token, authentication): not processed, and no failover either.
      const code = error instanceof HttpClientException ? error.errorCode : undefined;
      return { kind: 'declined', code: 'processing_error', providerCode: code ?? String(status), message: describe(error) };
    }
    if (status !== undefined && status >= 500) return { kind: 'unavailable', fault: 'server_error', status, message: describe(error) };
    // The library aborts an idle request at the timeout and reports it like any dropped connection.
    const timedOut = Date.now() - started >= this.options.timeoutMs * 0.95;
    return { kind: 'unavailable', fault: timedOut ? 'timeout' : 'network', message: describe(error) };
  }
}

function paymentsApi(client: Client) {
  return new CheckoutAPI(client).PaymentsApi;
}

function modificationsApi(client: Client) {
  return new CheckoutAPI(client).ModificationsApi;
}

function setBaseUrl(service: object, baseUrl: string): void {
  (service as { baseUrl: string }).baseUrl = baseUrl;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
