import { describe, expect, it } from 'vitest';
import { auc, calibration, logLoss } from './metrics';

describe('holdout metrics', () => {
  it('AUC counts correctly ordered positive–negative pairs, ties as half', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
    expect(auc([0.3, 0.3], [true, false])).toBe(0.5);
    expect(auc([0.2, 0.9], [true, false])).toBe(0);
    expect(auc([0.2, 0.9], [true, true])).toBeNaN();
  });

  it('log loss is the mean negative log-likelihood', () => {
    expect(logLoss([0.8, 0.25], [true, false])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.75)) / 2, 12);
  });

  it('calibration puts predictions in ten bins with their mean and observed rate', () => {
    const bins = calibration([0.05, 0.07, 0.55, 0.95, 1], [false, true, true, true, false]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ bin: 0, observed: 0.5, count: 2 });
    expect(bins[0].predicted).toBeCloseTo(0.06, 12);
    expect(bins[5]).toEqual({ bin: 5, predicted: 0.55, observed: 1, count: 1 });
    expect(bins[9].count).toBe(2);
    expect(bins[3].count).toBe(0);
  });
});
