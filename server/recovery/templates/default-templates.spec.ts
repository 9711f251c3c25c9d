import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_KEYS, DEFAULT_TEMPLATES } from './default-templates';
import { renderEmail, renderPush, renderSms } from './render';
import { testContext } from './test-context';

const OFFER = { code: 'SAVE10', description: '10% off', expiresAt: new Date('2030-01-01T12:00:00Z') };

const contexts = [
  ['with a name and an offer', testContext({ offer: OFFER })],
  ['without a name or an offer', testContext({ customer: null })],
] as const;

describe('DEFAULT_TEMPLATES', () => {
  it('has one row per key, for the keys campaigns use', () => {
    expect(DEFAULT_TEMPLATE_KEYS).toEqual(['reminder-email', 'offer-email', 'reminder-push', 'offer-push', 'reminder-sms', 'offer-sms']);
    for (const t of DEFAULT_TEMPLATES) {
      expect(t.key.endsWith(`-${t.channel}`)).toBe(true);
      expect(t.name).toBeTruthy();
      expect(t.html !== null).toBe(t.channel === 'email');
      expect(t.subject !== null).toBe(t.channel !== 'sms');
    }
  });

  it('never uses unescaped tags', () => {
    for (const t of DEFAULT_TEMPLATES) {
      for (const part of [t.subject, t.html, t.text]) {
        expect(part ?? '').not.toMatch(/\{\{\s*[{&]/);
      }
    }
  });

  it.each(contexts)('renders every template %s, leaving no tags behind', (_label, context) => {
    for (const t of DEFAULT_TEMPLATES) {
      const parts =
        t.channel === 'email' ? Object.values(renderEmail(t, context)) : t.channel === 'sms' ? [renderSms(t, context).body] : Object.values(renderPush(t, context)).filter((v) => typeof v === 'string');
      for (const part of parts) {
        expect(part).not.toMatch(/\{\{|\}\}/);
        expect(part).not.toMatch(/\s{2,}[.,]|\( \)|, ,/);
      }
    }
  });

  it('the email shows the cart lines, the total, the button and the unsubscribe footer', () => {
    const context = testContext({ offer: OFFER });
    for (const key of ['reminder-email', 'offer-email']) {
      const { html, text, subject } = renderEmail(DEFAULT_TEMPLATES.find((t) => t.key === key)!, context);
      expect(subject.length).toBeLessThan(70);
      expect(html).toContain('<img src="https://cdn.example.com/tee.jpg?w=128&amp;h=128" width="64" height="64" alt="Organic cotton tee"');
      expect(html).toContain('Organic cotton tee</a>');
      expect(html).toContain('Qty 2 &times; $19.50');
      expect(html).toContain('$39.00');
      expect(html).toMatch(/Total<\/td>\s*<td[^>]*>\$84\.50<\/td>/);
      expect(html).toMatch(new RegExp(`<a href="${context.links.resume.replace(/[.?]/g, '\\$&')}"[^>]*>Complete your order</a>`));
      expect(html).toContain(`<a href="${context.links.unsubscribe}"`);
      expect(html).toContain('&copy; Acme Outfitters');
      expect(text).toContain('- Organic cotton tee (x2): $39.00');
      expect(text).toContain('Total: $84.50');
      expect(text).toContain(`Complete your order: ${context.links.resume}`);
      expect(text).toContain(`Unsubscribe: ${context.links.unsubscribe}`);
    }
    const offer = renderEmail(DEFAULT_TEMPLATES.find((t) => t.key === 'offer-email')!, context);
    expect(offer.subject).toBe('10% off on your cart');
    expect(offer.html).toContain('SAVE10');
    expect(offer.text).toContain('Use code SAVE10 for 10% off. Valid until Jan 1, 2030');
  });

  it('the SMS templates stay GSM-7, name the brand and say how to opt out', () => {
    for (const key of ['reminder-sms', 'offer-sms']) {
      const sms = renderSms(DEFAULT_TEMPLATES.find((t) => t.key === key)!, testContext({ channel: 'sms', offer: OFFER }));
      expect(sms.encoding).toBe('GSM-7');
      expect(sms.body.startsWith('Acme Outfitters: ')).toBe(true);
      expect(sms.body.endsWith('Reply STOP to opt out')).toBe(true);
    }
  });
});
