import type { DeclineCode } from '../../server/payments/payment-provider';

/** The peers' declining test cards and the decline each must come out as, for the provider and failover tests. */
export const STRIPE_DECLINING_CARDS: [string, DeclineCode][] = [
  ['pm_card_chargeDeclinedStolenCard', 'stolen_card'],
  ['pm_card_chargeDeclinedLostCard', 'lost_card'],
  ['pm_card_chargeDeclinedFraudulent', 'fraudulent'],
  ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ['pm_card_chargeDeclinedExpiredCard', 'expired_card'],
  ['pm_card_chargeDeclinedDoNotHonor', 'do_not_honor'],
  ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc'],
  ['pm_card_chargeDeclined', 'card_declined'],
  ['pm_card_authenticationRequired', 'authentication_required'],
  ['pm_card_chargeDeclinedProcessingError', 'processing_error'],
];

export const ADYEN_DECLINING_CARDS: [string, DeclineCode][] = [
  ['adyen_card_stolen', 'stolen_card'],
  ['adyen_card_lost', 'lost_card'],
  ['adyen_card_fraud', 'fraudulent'],
  ['adyen_card_no_balance', 'insufficient_funds'],
  ['adyen_card_expired', 'expired_card'],
  ['adyen_card_do_not_honor', 'do_not_honor'],
  ['adyen_card_cvc', 'incorrect_cvc'],
  ['adyen_card_declined', 'card_declined'],
  ['adyen_card_auth_required', 'authentication_required'],
  ['adyen_card_acquirer_error', 'processing_error'],
];
