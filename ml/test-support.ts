/** Shared fixtures for the ml specs. */
import type { DecisionContext } from './features';
import type { RecoveryModel } from './model';
import { FEATURE_NAMES } from './features';

export function makeContext(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return {
    cartValue: 100,
    cartItems: 2,
    stage: 'shipping',
    device: 'mobile',
    localHour: 20,
    weekday: 3,
    isReturning: false,
    ordersCount: 0,
    lifetimeValue: 0,
    reachable: { email: true, push: true, sms: true },
    engagement: { email: { sent: 0, opened: 0, clicked: 0 }, push: { sent: 0, opened: 0, clicked: 0 }, sms: { sent: 0, opened: 0, clicked: 0 } },
    stepIndex: 0,
    hoursSinceAbandon: 0,
    messagesSent: [],
    ...overrides,
  };
}

/** A model whose probability is a known function of named features (for policy tests). */
export function featureModel(probability: (feature: (name: string) => number) => number): RecoveryModel {
  const index = new Map(FEATURE_NAMES.map((n, i) => [n, i]));
  const predictEncoded = (rows: number[][]) => rows.map((row) => probability((name) => row[index.get(name)!]));
  return {
    predictEncoded,
    predict: () => {
      throw new Error('featureModel scores encoded rows only');
    },
    serialize: () => {
      throw new Error('featureModel cannot be serialized');
    },
    dispose: () => {},
  };
}
