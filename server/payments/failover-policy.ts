import type { ChargeOutcome, ChargeStatus, DeclineCode } from './payment-provider';

/**
 * Declines that say the card itself must not be charged: never retried, never sent to another provider (a
 * second provider asking the same issuer would at best be declined again, at worst look like card testing).
 */
export const HARD_DECLINES: ReadonlySet<DeclineCode> = new Set<DeclineCode>([
  'stolen_card',
  'lost_card',
  'fraudulent',
  'insufficient_funds',
  'expired_card',
  'do_not_honor',
]);

export function isHardDecline(code: DeclineCode): boolean {
  return HARD_DECLINES.has(code);
}

/** Stripe's `decline_code` (issuer reasons) and `code` (error codes) onto ours. */
const STRIPE_CODES: Record<string, DeclineCode> = {
  stolen_card: 'stolen_card',
  // The issuer asks the merchant to retain the card: treated like a reported theft.
  pickup_card: 'stolen_card',
  lost_card: 'lost_card',
  fraudulent: 'fraudulent',
  merchant_blacklist: 'fraudulent',
  insufficient_funds: 'insufficient_funds',
  card_velocity_exceeded: 'insufficient_funds',
  withdrawal_count_limit_exceeded: 'insufficient_funds',
  expired_card: 'expired_card',
  do_not_honor: 'do_not_honor',
  incorrect_cvc: 'incorrect_cvc',
  invalid_cvc: 'incorrect_cvc',
  authentication_required: 'authentication_required',
  processing_error: 'processing_error',
  try_again_later: 'processing_error',
  reenter_transaction: 'processing_error',
  issuer_not_available: 'processing_error',
  generic_decline: 'card_declined',
  card_declined: 'card_declined',
};

/** Our code for a Stripe card error: the issuer's `decline_code` when it names one we know, else the error `code`. */
export function stripeDeclineCode(error: { code?: string | null; decline_code?: string | null }): DeclineCode {
  return (error.decline_code && STRIPE_CODES[error.decline_code]) || (error.code && STRIPE_CODES[error.code]) || 'card_declined';
}

/**
 * Adyen's raw acquirer answer (ISO 8583 response code, `additionalData.refusalReasonRaw` such as "43 : Stolen card")
 * tells lost from stolen from do-not-honor; the mapped `refusalReasonCode` folds them into "Blocked Card" or
 * "Refused".
 */
const ISO8583_CODES: Record<string, DeclineCode> = {
  '04': 'stolen_card',
  '07': 'stolen_card',
  '41': 'lost_card',
  '43': 'stolen_card',
  '59': 'fraudulent',
  '05': 'do_not_honor',
  '51': 'insufficient_funds',
  '61': 'insufficient_funds',
  '54': 'expired_card',
  '82': 'incorrect_cvc',
  N7: 'incorrect_cvc',
  '91': 'processing_error',
  '96': 'processing_error',
};

/** Adyen's documented refusal reason codes (https://docs.adyen.com/development-resources/refusal-reasons). */
const ADYEN_REASON_CODES: Record<string, DeclineCode> = {
  '2': 'card_declined', // Refused
  '3': 'card_declined', // Referral
  '4': 'processing_error', // Acquirer Error
  '5': 'lost_card', // Blocked Card: lost, stolen or blocked, all hard
  '6': 'expired_card', // Expired Card
  '7': 'card_declined', // Invalid Amount
  '8': 'card_declined', // Invalid Card Number
  '9': 'processing_error', // Issuer Unavailable
  '10': 'card_declined', // Not supported
  '11': 'authentication_required', // 3D Not Authenticated
  '12': 'insufficient_funds', // Not enough balance
  '14': 'fraudulent', // Acquirer Fraud
  '20': 'fraudulent', // FRAUD
  '22': 'fraudulent', // FRAUD-CANCELLED
  '23': 'card_declined', // Transaction Not Permitted
  '24': 'incorrect_cvc', // CVC Declined
  '25': 'do_not_honor', // Restricted Card
  '26': 'do_not_honor', // Revocation Of Auth
  '27': 'card_declined', // Declined Non Generic
  '28': 'insufficient_funds', // Withdrawal amount exceeded
  '29': 'insufficient_funds', // Withdrawal count exceeded
  '31': 'fraudulent', // Issuer Suspected Fraud
  '38': 'authentication_required', // Authentication required
  '42': 'authentication_required', // 3DS Authentication Error
};

const ADYEN_REASONS: Record<string, DeclineCode> = {
  refused: 'card_declined',
  'blocked card': 'lost_card',
  'expired card': 'expired_card',
  'not enough balance': 'insufficient_funds',
  fraud: 'fraudulent',
  'acquirer fraud': 'fraudulent',
  'issuer suspected fraud': 'fraudulent',
  'cvc declined': 'incorrect_cvc',
  'restricted card': 'do_not_honor',
  'acquirer error': 'processing_error',
  'issuer unavailable': 'processing_error',
  'authentication required': 'authentication_required',
  '3d not authenticated': 'authentication_required',
};

/** Our code for an Adyen refusal: the raw acquirer code first, then Adyen's reason code, then its reason text. */
export function adyenDeclineCode(refusal: { refusalReason?: string; refusalReasonCode?: string; refusalReasonRaw?: string }): DeclineCode {
  const raw = /^\s*([0-9A-Z]{2})\b/.exec(refusal.refusalReasonRaw ?? '')?.[1];
  return (
    (raw && ISO8583_CODES[raw]) ||
    (refusal.refusalReasonCode && ADYEN_REASON_CODES[refusal.refusalReasonCode.trim()]) ||
    (refusal.refusalReason && ADYEN_REASONS[refusal.refusalReason.trim().toLowerCase()]) ||
    'card_declined'
  );
}

/** What the router does after a provider answered a charge. */
export type AfterCharge =
  | { action: 'accept'; providerReference: string }
  /** A decline is the card's answer: no failover, whatever the code; hard ones are never retried either. */
  | { action: 'decline'; code: DeclineCode; hard: boolean }
  /** No answer we can trust: ask the provider what happened before anything else. */
  | { action: 'settle' };

export function afterCharge(outcome: ChargeOutcome): AfterCharge {
  switch (outcome.kind) {
    case 'succeeded':
      return { action: 'accept', providerReference: outcome.providerReference };
    case 'declined':
      return { action: 'decline', code: outcome.code, hard: isHardDecline(outcome.code) };
    case 'unavailable':
      return { action: 'settle' };
  }
}

/** What the router does once `settle` has answered for an unavailable attempt. */
export type AfterSettle =
  /** The charge went through after all: that is the result, no other provider is asked. */
  | { action: 'accept'; providerReference: string }
  /** Proven not charged: the next provider may try. */
  | { action: 'fail_over' }
  /** Nobody can tell whether money moved: stop and hold the payment for reconciliation. */
  | { action: 'hold' };

export function afterSettle(status: ChargeStatus): AfterSettle {
  switch (status.kind) {
    case 'charged':
      return { action: 'accept', providerReference: status.providerReference };
    case 'not_charged':
      return { action: 'fail_over' };
    case 'unknown':
      return { action: 'hold' };
  }
}
