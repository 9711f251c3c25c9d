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
  /**
   * Called with the provider's id for this attempt as soon as it exists and before the step that can move money
   * (Stripe: the PaymentIntent is created, not yet confirmed; Adyen: authorised with manual capture, not yet
   * captured). The caller stores it durably; a provider sends the money-moving step only after this resolves, so
   * an attempt with no stored reference provably moved no money (what `settle` relies on after a crash).
   */
  recordReference(providerReference: string): Promise<void>;
}

/** What `settle` gets: the attempt as it was charged, and the reference `recordReference` stored, if any. */
export type SettleRequest = Omit<ChargeRequest, 'recordReference'> & { providerReference?: string };

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
  /** Nothing charged, and nothing will be (voided, cancelled, never created, or never sent the money-moving step). */
  | { kind: 'not_charged'; note?: string }
  /** The provider cannot tell us (still unreachable, or the payment is processing). */
  | { kind: 'unknown'; message: string };

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /**
   * Settles an attempt whose answer we did not get (or whose answer was never recorded, after a crash): finds it
   * by its reference or idempotency key, brings it to a final state (voids what can still be voided, or finishes
   * what the provider already approved), and reports whether a charge stands.
   */
  settle(request: SettleRequest): Promise<ChargeStatus>;
}
