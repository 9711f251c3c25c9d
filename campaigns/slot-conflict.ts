/**
 * Two messages for the same customer competing for one slot.
 *
 * When the frequency cap lets only one of several due messages out now (two checkouts abandoned the same
 * evening, say), the one for the bigger cart goes first; the others wait for the next slot the cap allows.
 * The order is total and deterministic: cart value (highest first), then due time (earliest first), then
 * message id, so two workers looking at the same candidates always agree.
 */

export interface SlotCandidate {
  messageId: string;
  cartValue: number;
  dueAt: Date;
}

/** Negative when `a` takes the slot before `b`. */
export function compareForSlot(a: SlotCandidate, b: SlotCandidate): number {
  if (a.cartValue !== b.cartValue) return b.cartValue - a.cartValue;
  const due = a.dueAt.getTime() - b.dueAt.getTime();
  if (due !== 0) return due;
  return a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0;
}

/** The candidates in the order they get the slot (a new array; the input is left alone). */
export function orderForSlot<T extends SlotCandidate>(candidates: readonly T[]): T[] {
  return [...candidates].sort(compareForSlot);
}

/** The candidate that takes the slot now, or null when there is none. */
export function slotWinner<T extends SlotCandidate>(candidates: readonly T[]): T | null {
  return orderForSlot(candidates)[0] ?? null;
}
