import { describe, expect, it } from 'vitest';
import { cleanText, formatDateTime, formatMoney, resolveLocale, safeHttpUrl } from './template-context';
import { TEST_LINKS, testContext } from './test-context';

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('formatMoney', () => {
  it('formats in the checkout currency and the recipient locale', () => {
    expect(formatMoney(19.99, 'USD', 'en-US')).toBe('$19.99');
    expect(nbsp(formatMoney(1234.5, 'EUR', 'de-DE'))).toBe('1.234,50 €');
    expect(nbsp(formatMoney(1234.5, 'EUR', 'fr-FR'))).toBe('1 234,50 €');
    expect(formatMoney(1234.5, 'EUR', 'en-IE')).toBe('€1,234.50');
    expect(formatMoney(1234.5, 'JPY', 'en-US')).toBe('¥1,235');
    expect(formatMoney(19.99, 'CAD', 'en-US')).toBe('CA$19.99');
    expect(formatMoney(19.99, 'CAD', 'en-CA')).toBe('$19.99');
    expect(formatMoney(19.99, 'usd', 'en-US')).toBe('$19.99');
  });

  it('falls back to English for an unknown locale and shows an invalid currency code after the amount', () => {
    expect(formatMoney(5, 'USD', 'not a locale!')).toBe('$5.00');
    expect(formatMoney(5, 'USD', 'en_GB')).toBe('US$5.00');
    expect(formatMoney(5, 'EURO', 'en-US')).toBe('5.00 EURO');
    expect(formatMoney(Number.NaN, 'USD', 'en-US')).toBe('$0.00');
  });
});

describe('helpers', () => {
  it('resolveLocale canonicalises or falls back to en', () => {
    expect(resolveLocale('en_ca')).toBe('en-CA');
    expect(resolveLocale(undefined)).toBe('en');
    expect(resolveLocale('%%')).toBe('en');
  });

  it('safeHttpUrl keeps absolute http(s) URLs only', () => {
    expect(safeHttpUrl('https://cdn.example.com/a.jpg')).toBe('https://cdn.example.com/a.jpg');
    expect(safeHttpUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeHttpUrl('data:image/png;base64,AAAA')).toBeUndefined();
    expect(safeHttpUrl('//cdn.example.com/a.jpg')).toBeUndefined();
    expect(safeHttpUrl(42)).toBeUndefined();
  });

  it('cleanText removes control characters and bounds the length', () => {
    expect(cleanText('  Ann\r\nBcc: x@example.com\u0000 ', 60)).toBe('Ann Bcc: x@example.com');
    expect(cleanText('   ', 10)).toBeUndefined();
    expect(cleanText('abcdefghij', 5)).toBe('abcd…');
  });

  it('formatDateTime uses the recipient zone, else UTC and says so', () => {
    const at = new Date('2025-03-01T18:30:00Z');
    expect(nbsp(formatDateTime(at, 'en-US', 'America/New_York'))).toBe('Mar 1, 2025, 1:30 PM');
    expect(nbsp(formatDateTime(at, 'en-US', 'Nowhere/Special'))).toBe('Mar 1, 2025, 6:30 PM UTC');
  });
});

describe('buildTemplateContext', () => {
  it('formats the cart and signs the links', () => {
    const context = testContext({ offer: { code: 'SAVE10', description: '10% off', expiresAt: new Date('2025-03-01T18:30:00Z') }, timezone: 'Europe/Paris' });
    expect(context.customer).toEqual({ firstName: 'Ann', email: 'ann@example.com' });
    expect(context.cart).toEqual({
      currency: 'USD',
      itemCount: 3,
      total: '$84.50',
      items: [
        {
          name: 'Organic cotton tee',
          quantity: 2,
          unitPrice: '$19.50',
          lineTotal: '$39.00',
          imageUrl: 'https://cdn.example.com/tee.jpg?w=128&h=128',
          url: 'https://shop.example.com/p/tee',
        },
        { name: 'Canvas cap', quantity: 1, unitPrice: '$45.50', lineTotal: '$45.50', imageUrl: 'https://cdn.example.com/cap.jpg' },
      ],
    });
    expect(context.brand).toEqual({ name: 'Acme Outfitters' });
    expect(nbsp(context.offer!.expiresAt!)).toBe('Mar 1, 2025, 7:30 PM');

    const resume = context.links.resume.split('/r/click/')[1]!;
    expect(TEST_LINKS.verify('click', resume)).toEqual({
      action: 'click',
      messageId: '2f1d6c1e-0d3e-4c55-9a3f-1f0e7c2b9a10',
      target: 'https://shop.example.com/checkout/resume?token=abc&utm_source=recovery',
    });
    const unsubscribe = context.links.unsubscribe.split('/r/unsubscribe/')[1]!;
    expect(TEST_LINKS.verify('unsubscribe', unsubscribe)).toMatchObject({ channel: 'email' });
  });

  it('copes with missing and untrusted cart data', () => {
    const context = testContext({
      customer: null,
      locale: null,
      cart: {
        currency: 'EUR',
        value: 30,
        items: [
          { sku: 'SKU-9', quantity: 3, unit_price: 10, image_url: 'javascript:alert(1)', url: 'data:text/html,x' },
          { sku: 'bad', quantity: -1, unit_price: Number.NaN } as never,
        ],
      },
    });
    expect(context.customer).toEqual({});
    expect(context.cart.items[0]).toEqual({ name: 'SKU-9', quantity: 3, unitPrice: '€10.00', lineTotal: '€30.00' });
    expect(context.cart.items[1]).toMatchObject({ quantity: 0, unitPrice: '€0.00' });
    expect(context.cart.itemCount).toBe(3);
    expect(testContext({ cart: null }).cart).toEqual({ items: [], total: '$0.00', itemCount: 0, currency: 'USD' });
  });

  it('shows at most maxItems lines', () => {
    const items = Array.from({ length: 15 }, (_, i) => ({ sku: `S${i}`, quantity: 1, unit_price: 1 }));
    const context = testContext({ cart: { currency: 'USD', value: 15, items } });
    expect(context.cart.items).toHaveLength(10);
    expect(context.cart.itemCount).toBe(15);
  });
});
