/**
 * The lock a checkout's sends and its order's suppression share: a send holds it from its final check to
 * the provider's answer, an order's transaction takes it before cancelling what is planned. Whichever
 * comes second sees what the first did.
 */
export function sendLockKey(checkoutId: string): string {
  return `send:${checkoutId}`;
}
