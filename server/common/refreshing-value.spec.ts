import { describe, expect, it } from 'vitest';
import { RefreshingValue } from './refreshing-value';

describe('RefreshingValue', () => {
  it('keeps a loaded value for its TTL, shares concurrent loads, and reloads once invalidated or expired', async () => {
    let loads = 0;
    const value = new RefreshingValue(async () => ++loads, 1000);
    expect(await Promise.all([value.get(0), value.get(0), value.get(10)])).toEqual([1, 1, 1]);
    expect(await value.get(999)).toBe(1);
    expect(await value.get(1000)).toBe(2);
    value.invalidate();
    expect(await value.get(1001)).toBe(3);
    expect(loads).toBe(3);
  });

  it('keeps the last good value out of a failed load, and tries again on the next read', async () => {
    let fail = false;
    let n = 0;
    const value = new RefreshingValue(async () => {
      if (fail) throw new Error('down');
      return ++n;
    }, 0);
    expect(await value.get(0)).toBe(1);
    fail = true;
    await expect(value.get(1)).rejects.toThrow('down');
    fail = false;
    expect(await value.get(2)).toBe(2);
  });
});
