import { paymentAttempts, paymentMethods, type CheckoutSessionRow } from '../../../../models';
import { totalsOf } from '../../../checkout/sessions/checkout-sessions.service';

/** A one-click checkout's session as the console shows it: where its payment stands, never its card token. */
export function sessionView(session: CheckoutSessionRow) {
  return {
    publicId: session.publicId,
    state: session.state,
    totals: totalsOf(session),
    discountCode: session.discountCode,
    orderId: session.orderId,
    chargingSince: session.chargingSince,
    completedAt: session.completedAt,
  };
}

/** One row per provider call, with the card it charged; the payment method's tokens are left out on purpose. */
export const attemptColumns = {
  id: paymentAttempts.id,
  sequence: paymentAttempts.sequence,
  provider: paymentAttempts.provider,
  status: paymentAttempts.status,
  amount: paymentAttempts.amount,
  currency: paymentAttempts.currency,
  declineCode: paymentAttempts.declineCode,
  failure: paymentAttempts.failure,
  providerReference: paymentAttempts.providerReference,
  startedAt: paymentAttempts.startedAt,
  finishedAt: paymentAttempts.finishedAt,
  brand: paymentMethods.brand,
  last4: paymentMethods.last4,
};
