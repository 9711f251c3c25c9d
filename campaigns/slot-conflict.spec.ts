import { describe, expect, it } from 'vitest';
import { compareForSlot, orderForSlot, slotWinner } from './slot-conflict';

const due = (iso: string) => new Date(iso);

describe('slot conflict', () => {
  it('gives the slot to the bigger cart', () => {
    const small = { messageId: 'm-small', cartValue: 40, dueAt: due('2026-05-04T10:00:00Z') };
    const big = { messageId: 'm-big', cartValue: 400, dueAt: due('2026-05-04T11:00:00Z') };
    expect(orderForSlot([small, big]).map((c) => c.messageId)).toEqual(['m-big', 'm-small']);
    expect(slotWinner([small, big])).toBe(big);
  });

  it('breaks equal carts by due time, then by message id', () => {
    const candidates = [
      { messageId: 'c', cartValue: 100, dueAt: due('2026-05-04T10:00:00Z') },
      { messageId: 'b', cartValue: 100, dueAt: due('2026-05-04T09:00:00Z') },
      { messageId: 'a', cartValue: 100, dueAt: due('2026-05-04T10:00:00Z') },
      { messageId: 'z', cartValue: 250, dueAt: due('2026-05-05T10:00:00Z') },
    ];
    expect(orderForSlot(candidates).map((c) => c.messageId)).toEqual(['z', 'b', 'a', 'c']);
  });

  it('is deterministic whatever the input order, and leaves the input alone', () => {
    const candidates = [
      { messageId: 'm2', cartValue: 10, dueAt: due('2026-05-04T10:00:00Z') },
      { messageId: 'm1', cartValue: 10, dueAt: due('2026-05-04T10:00:00Z') },
      { messageId: 'm3', cartValue: 99.5, dueAt: due('2026-05-04T12:00:00Z') },
    ];
    const reversed = [...candidates].reverse();
    expect(orderForSlot(candidates)).toEqual(orderForSlot(reversed));
    expect(orderForSlot(candidates).map((c) => c.messageId)).toEqual(['m3', 'm1', 'm2']);
    expect(candidates.map((c) => c.messageId)).toEqual(['m2', 'm1', 'm3']);
  });

  it('keeps extra fields and handles no candidates', () => {
    const withEnrollment = { messageId: 'm', cartValue: 1, dueAt: due('2026-05-04T10:00:00Z'), enrollmentId: 'e1' };
    expect(orderForSlot([withEnrollment])[0].enrollmentId).toBe('e1');
    expect(slotWinner([])).toBeNull();
  });

  it('compares as a total order', () => {
    const a = { messageId: 'a', cartValue: 5, dueAt: due('2026-05-04T10:00:00Z') };
    expect(compareForSlot(a, a)).toBe(0);
    expect(compareForSlot(a, { ...a, messageId: 'b' })).toBeLessThan(0);
    expect(compareForSlot({ ...a, cartValue: 6 }, a)).toBeLessThan(0);
  });
});
