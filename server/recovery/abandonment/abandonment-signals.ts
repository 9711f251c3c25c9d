import type { Checkout } from '../../../models/checkouts';

/** What we know about why a checkout was left: recorded on the checkout when it is marked abandoned. */
export interface AbandonmentSignals {
  stage: Checkout['stage'];
  device: string | null;
  cartValue: number | null;
  /** Latest cart value minus the first one seen: a shrinking cart hints at price hesitation. */
  cartValueChange: number | null;
  paymentErrors: number;
  /** Seconds between reaching the last stage and the last activity. */
  secondsOnStep: number | null;
  /** Minutes the checkout had been idle when the sweep found it. */
  idleMinutes: number;
}

export function abandonmentSignals(checkout: Checkout, now: Date): AbandonmentSignals {
  const reached = checkout.stageReachedAt[checkout.stage];
  const cartValue = checkout.cartValue === null ? null : Number(checkout.cartValue);
  const initial = checkout.initialCartValue === null ? null : Number(checkout.initialCartValue);
  return {
    stage: checkout.stage,
    device: checkout.device,
    cartValue,
    cartValueChange: cartValue !== null && initial !== null ? Math.round((cartValue - initial) * 100) / 100 : null,
    paymentErrors: checkout.paymentErrors,
    secondsOnStep: reached ? Math.max(0, Math.round((checkout.lastActivityAt.getTime() - Date.parse(reached)) / 1000)) : null,
    idleMinutes: Math.floor((now.getTime() - checkout.lastActivityAt.getTime()) / 60_000),
  };
}
