/** Jobs of the `recovery` queue. */
export type RecoveryJob = { name: 'send'; data: SendJobData } | { name: 'plan'; data: { enrollmentId: string } };

/**
 * A send's wake-up names the message, and its enrollment so that the send can ask for the planner's input in
 * its first round trip (the send checks it against the locked row; jobs queued without it still work).
 */
export interface SendJobData {
  messageId: string;
  enrollmentId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The job data of a message's wake-up. A message key begins with its enrollment's id (`<enrollment>.<step>.<channel>`). */
export function sendJobData(message: { id: string; key: string }): SendJobData {
  const enrollmentId = message.key.slice(0, message.key.indexOf('.'));
  return UUID.test(enrollmentId) ? { messageId: message.id, enrollmentId } : { messageId: message.id };
}

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
