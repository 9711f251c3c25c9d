import { describe, expect, it } from 'vitest';
import { SignedLinks } from './signed-links';

describe('signed links', () => {
  const links = new SignedLinks('https://recover.example', 'a-long-random-secret');

  it('round-trips the claims of a link it signed', () => {
    const url = links.click('m-1', 'https://shop.example/cart?x=1');
    const token = url.split('/r/click/')[1];
    expect(links.verify('click', token)).toEqual({ action: 'click', messageId: 'm-1', target: 'https://shop.example/cart?x=1' });
  });

  it('refuses a link with any byte changed, another action, or another secret', () => {
    const token = links.open('m-1').split('/r/open/')[1];
    const [payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ action: 'open', messageId: 'm-2' })).toString('base64url');
    expect(links.verify('open', `${forged}.${signature}`)).toBeNull();
    expect(links.verify('open', `${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(links.verify('click', token)).toBeNull();
    expect(new SignedLinks('https://recover.example', 'another-secret').verify('open', token)).toBeNull();
    expect(links.verify('open', 'garbage')).toBeNull();
  });

  it('makes short links for SMS that carry only the message id', () => {
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const url = links.short(id);
    expect(url).toMatch(/^https:\/\/recover\.example\/r\/s\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{16}$/);
    const token = url.split('/r/s/')[1];
    expect(links.verifyShort(token)).toBe(id);
    const other = links.short('3f2504e0-4f89-41d3-9a0c-0305e82c3302').split('/r/s/')[1];
    expect(links.verifyShort(`${token.split('.')[0]}.${other.split('.')[1]}`)).toBeNull();
    expect(links.verifyShort('short')).toBeNull();
  });
});

describe('checkout (landing) links', () => {
  const links = new SignedLinks('https://recover.example', 'a-long-random-secret');
  const claims = { checkoutId: 'c-1', messageId: 'm-1', customerId: 'u-1', expiresAt: 2_000_000_000, items: [['sku-1', 2, 19.5]] as Array<[string, number, number]> };
  const tokenOf = (url: string) => url.split('/c/')[1];

  it('round-trips its claims until it expires', () => {
    const token = tokenOf(links.landing(claims));
    expect(links.verifyLanding(token, new Date(1_999_999_999_000))).toEqual({ ok: true, claims });
    expect(links.verifyLanding(token, new Date(2_000_000_001_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a changed byte, another secret and other kinds of links', () => {
    const token = tokenOf(links.landing(claims));
    const [payload, signature] = token.split('.');
    const changed = Buffer.from(JSON.stringify({ a: 'landing', ...claims, checkoutId: 'c-2' })).toString('base64url');
    expect(links.verifyLanding(`${changed}.${signature}`, new Date(0))).toEqual({ ok: false, reason: 'invalid' });
    expect(new SignedLinks('https://recover.example', 'another').verifyLanding(token, new Date(0))).toEqual({ ok: false, reason: 'invalid' });
    expect(links.verifyLanding(links.open('m-1').split('/r/open/')[1], new Date(0))).toEqual({ ok: false, reason: 'invalid' });
    expect(links.verifyLanding(`${payload}`, new Date(0))).toEqual({ ok: false, reason: 'invalid' });
  });
});
