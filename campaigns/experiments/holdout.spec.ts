import { describe, expect, it } from 'vitest';
import { assignHoldout, assignmentUnit, controlProbabilityOf, type HoldoutShares } from './holdout';

const SECRET = 'test-secret-0123456789abcdef';
const shopper = (i: number) => ({ customerId: `cust-${i}`, checkoutId: `chk-${i}` });
const assign = (i: number, shares: HoldoutShares, secret = SECRET, campaignId = 'camp-1') => assignHoldout({ secret, campaignId, identity: shopper(i), shares });
const controlSet = (shares: HoldoutShares, secret = SECRET) => new Set(Array.from({ length: 20_000 }, (_, i) => i).filter((i) => assign(i, shares, secret).arm === 'control'));

describe('holdout assignment', () => {
  it('keys on the most stable identity known', () => {
    expect(assignmentUnit({ customerId: ' u-7 ', email: 'A@x.io', checkoutId: 'c' })).toEqual({ kind: 'customer', value: 'u-7' });
    expect(assignmentUnit({ customerId: null, email: ' Ann@Example.COM ', shopperId: 's', checkoutId: 'c' })).toEqual({ kind: 'email', value: 'ann@example.com' });
    expect(assignmentUnit({ shopperId: 's-1', checkoutId: 'c' })).toEqual({ kind: 'shopper', value: 's-1' });
    expect(assignmentUnit({ email: '  ', checkoutId: 'c-1' })).toEqual({ kind: 'checkout', value: 'c-1' });
  });

  it('is sticky: the same shopper gets the same group for every checkout', () => {
    const shares = { globalPercent: 0, campaignPercent: 30 };
    for (let i = 0; i < 200; i++) {
      const first = assignHoldout({ secret: SECRET, campaignId: 'camp-1', identity: { customerId: `cust-${i}`, checkoutId: 'a' }, shares });
      const again = assignHoldout({ secret: SECRET, campaignId: 'camp-1', identity: { customerId: `cust-${i}`, email: 'other@x.io', checkoutId: 'b' }, shares });
      expect(again.arm).toBe(first.arm);
    }
  });

  it('holds out the share asked for', () => {
    const share = controlSet({ globalPercent: 0, campaignPercent: 30 }).size / 20_000;
    expect(share).toBeGreaterThan(0.28);
    expect(share).toBeLessThan(0.32);
    expect(controlSet({ globalPercent: 0, campaignPercent: 0 }).size).toBe(0);
  });

  it('is monotone: raising a share from 5 to 10 keeps the first 5 % in control', () => {
    const five = controlSet({ globalPercent: 0, campaignPercent: 5 });
    const ten = controlSet({ globalPercent: 0, campaignPercent: 10 });
    expect(five.size).toBeGreaterThan(800);
    for (const i of five) expect(ten.has(i)).toBe(true);
    const globalFive = controlSet({ globalPercent: 5, campaignPercent: 10 });
    const globalTen = controlSet({ globalPercent: 10, campaignPercent: 10 });
    for (const i of globalFive) expect(globalTen.has(i)).toBe(true);
  });

  it('reshuffles with a new secret (a new experiment period)', () => {
    const before = controlSet({ globalPercent: 0, campaignPercent: 20 });
    const after = controlSet({ globalPercent: 0, campaignPercent: 20 }, 'another-secret-9876543210');
    const kept = [...before].filter((i) => after.has(i)).length / before.size;
    // Independent draws: about 20 % of the old control group is in the new one, not all of it.
    expect(kept).toBeGreaterThan(0.15);
    expect(kept).toBeLessThan(0.25);
  });

  it('places the store-wide and the campaign holdout independently, and records the probability of control', () => {
    const shares = { globalPercent: 10, campaignPercent: 20 };
    expect(controlProbabilityOf(shares)).toBeCloseTo(0.28, 10);
    const all = Array.from({ length: 20_000 }, (_, i) => assign(i, shares));
    const global = all.filter((a) => a.holdout === 'global').length / all.length;
    const control = all.filter((a) => a.arm === 'control').length / all.length;
    expect(global).toBeGreaterThan(0.09);
    expect(global).toBeLessThan(0.11);
    expect(control).toBeGreaterThan(0.265);
    expect(control).toBeLessThan(0.295);
    expect(all.every((a) => a.controlProbability === controlProbabilityOf(shares))).toBe(true);
    // A global holdout keeps the shopper out of every campaign.
    for (const a of all.filter((x) => x.holdout === 'global').slice(0, 50)) expect(a.arm).toBe('control');
    const i = all.findIndex((a) => a.holdout === 'global');
    expect(assign(i, shares, SECRET, 'camp-2').arm).toBe('control');
  });
});
