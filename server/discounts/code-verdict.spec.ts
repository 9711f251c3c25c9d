import { describe, expect, it } from 'vitest';
import { codeDiscountValue, codeRefusal, CodeState, isIssuedTo, ShopperRef } from './code-verdict';

const now = new Date('2026-11-26T10:00:00Z');
const code: CodeState = {
  sourceId: 'src',
  checkoutId: 'chk',
  customerId: 'cus',
  type: 'percent',
  percent: 10,
  amount: null,
  maxDiscountValue: 50,
  expiresAt: new Date('2026-11-28T10:00:00Z'),
  revokedAt: null,
  redeemedAt: null,
  redeemedOrderId: null,
};
const owner: ShopperRef = { checkoutId: 'chk', checkoutCustomerId: 'cus', customerId: null };
const nobody: ShopperRef = { checkoutId: null, checkoutCustomerId: null, customerId: null };

describe('isIssuedTo', () => {
  it('accepts the bound checkout, the bound customer, or a checkout of the bound customer', () => {
    expect(isIssuedTo(code, { ...nobody, checkoutId: 'chk' })).toBe(true);
    expect(isIssuedTo(code, { ...nobody, customerId: 'cus' })).toBe(true);
    expect(isIssuedTo(code, { ...nobody, checkoutId: 'other', checkoutCustomerId: 'cus' })).toBe(true);
  });

  it('refuses anyone else, and a code bound to nobody', () => {
    expect(isIssuedTo(code, nobody)).toBe(false);
    expect(isIssuedTo(code, { checkoutId: 'other', checkoutCustomerId: 'someone', customerId: 'else' })).toBe(false);
    expect(isIssuedTo({ checkoutId: null, customerId: null }, { checkoutId: null, checkoutCustomerId: null, customerId: null })).toBe(false);
    expect(isIssuedTo({ checkoutId: 'chk', customerId: null }, { ...nobody, customerId: 'cus' })).toBe(false);
  });
});

describe('codeRefusal', () => {
  it('accepts a live code of this source for its shopper', () => {
    expect(codeRefusal(code, 'src', owner, now)).toBeNull();
  });

  it("calls a missing code and another source's code unknown, before anything else", () => {
    expect(codeRefusal(null, 'src', owner, now)).toBe('unknown');
    expect(codeRefusal({ ...code, redeemedAt: now }, 'other-src', owner, now)).toBe('unknown');
  });

  it('tells a foreign shopper only that the code is not theirs', () => {
    expect(codeRefusal({ ...code, redeemedAt: now, revokedAt: now, expiresAt: now }, 'src', nobody, now)).toBe('foreign');
  });

  it('refuses used, then withdrawn, then expired codes', () => {
    expect(codeRefusal({ ...code, redeemedAt: now, revokedAt: now, expiresAt: now }, 'src', owner, now)).toBe('redeemed');
    expect(codeRefusal({ ...code, revokedAt: now, expiresAt: now }, 'src', owner, now)).toBe('disabled');
    expect(codeRefusal({ ...code, expiresAt: now }, 'src', owner, now)).toBe('expired');
    expect(codeRefusal({ ...code, expiresAt: new Date(now.getTime() + 1) }, 'src', owner, now)).toBeNull();
  });
});

describe('codeDiscountValue', () => {
  it('takes a percent of the cart, capped; unknown without a cart', () => {
    expect(codeDiscountValue(code, 120)).toBe(12);
    expect(codeDiscountValue(code, 900)).toBe(50);
    expect(codeDiscountValue(code)).toBeNull();
  });

  it('gives a fixed amount, capped by the cart when one is sent', () => {
    const fixed = { ...code, type: 'fixed_amount' as const, percent: null, amount: 15, maxDiscountValue: null };
    expect(codeDiscountValue(fixed)).toBe(15);
    expect(codeDiscountValue(fixed, 10)).toBe(10);
  });

  it('values free shipping at the shipping sent', () => {
    const free = { ...code, type: 'free_shipping' as const, percent: null, maxDiscountValue: 5 };
    expect(codeDiscountValue(free, 100)).toBeNull();
    expect(codeDiscountValue(free, 100, 4.5)).toBe(4.5);
    expect(codeDiscountValue(free, 100, 9)).toBe(5);
  });
});
