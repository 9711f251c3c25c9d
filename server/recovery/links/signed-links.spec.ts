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
