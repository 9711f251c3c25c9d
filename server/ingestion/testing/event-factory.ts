import type { NormalizedEvent } from '../normalized-event';

let counter = 0;

/** A normalized event with sensible defaults, for unit tests of the projection and identity code. */
export function normalizedEvent(overrides: Partial<NormalizedEvent> & { at?: string } = {}): NormalizedEvent {
  const { at, ...rest } = overrides;
  counter += 1;
  return {
    key: `evt-${String(counter).padStart(6, '0')}`,
    type: 'checkout_updated',
    occurredAt: new Date(at ?? '2026-11-26T10:00:00Z'),
    origin: 'api',
    refs: { checkoutId: 'co-1' },
    payload: {},
    ...rest,
  };
}
