/** Jobs of the `recovery` queue. */
export type RecoveryJob = { name: 'send'; data: { messageId: string } } | { name: 'plan'; data: { enrollmentId: string } };

/** Jobs of the `abandonment` queue. */
export type AbandonmentJob =
  | { name: 'sweep'; data: Record<string, never> }
  | { name: 'reconcile'; data: Record<string, never> }
  | { name: 'abandon'; data: { checkoutId: string; lastActivityAt: string } };

/**
 * The BullMQ job id of a message's wake-up: its key and the time it is due, so a rescheduled or retried
 * message gets a new wake-up while enqueueing the same one twice (reconciler, restart) is ignored by BullMQ.
 */
export function sendJobId(key: string, scheduledFor: Date): string {
  return `${key}.t${scheduledFor.getTime()}`;
}
