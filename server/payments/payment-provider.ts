/** The providers we route to; the names stored on payment methods and attempts. */
export const PAYMENT_PROVIDERS = ['stripe', 'adyen'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

/** One charge as a provider sees it. Amounts in minor units (cents; yen as is). */
export interface ChargeRequest {
  /** Unique per attempt (`<charge key>:<sequence>`): the provider's idempotency key and our reference. */
  idempotencyKey: string;
  amountMinor: number;
  currency: string;
  /** The provider's token for the stored card (Stripe `pm_...`, Adyen `storedPaymentMethodId`). */
  token: string;
  /** The merchant's customer id (Stripe customer / Adyen shopperReference). */
  customerRef?: string;
  description?: string;
  metadata: Record<string, string>;
}

/** Decline reasons we tell apart; `hard` ones never fail over and never retry. */
export type DeclineCode =
  | 'stolen_card'
  | 'lost_card'
  | 'fraudulent'
  | 'insufficient_funds'
  | 'expired_card'
  | 'do_not_honor'
  | 'incorrect_cvc'
  | 'card_declined'
  | 'authentication_required'
  | 'processing_error';

export type ChargeOutcome =
  | { kind: 'succeeded'; providerReference: string }
  | { kind: 'declined'; code: DeclineCode; providerCode: string; message: string; providerReference?: string }
  /** Network error, timeout or 5xx: whether money moved is not known from this answer. */
  | { kind: 'unavailable'; fault: 'network' | 'timeout' | 'server_error'; status?: number; message: string };

/** After an `unavailable` answer: what the provider says happened to that attempt. */
export type ChargeStatus =
  | { kind: 'charged'; providerReference: string }
  /** Nothing charged, and nothing will be (voided, cancelled or never created). */
  | { kind: 'not_charged' }
  /** The provider cannot tell us (still unreachable, or the payment is processing). */
  | { kind: 'unknown'; message: string };

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /**
   * Settles an attempt whose answer we did not get: finds it by its idempotency key / reference, voids or
   * cancels anything not yet captured, and reports whether a charge stands.
   */
  settle(request: ChargeRequest): Promise<ChargeStatus>;
}
