import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES } from './default-templates';
import { escapeHtml, PUSH_PAYLOAD_LIMIT_BYTES, renderEmail, renderPush, renderSms, smsSegments, TemplateRenderError } from './render';
import { testContext } from './test-context';

const HOSTILE_NAME = `<script>alert("pwned")</script>`;
const HOSTILE_ITEM = `Tom's "best" <b>boots</b> & laces`;

function hostileContext() {
  return testContext({
    customer: { firstName: HOSTILE_NAME, email: 'x"@example.com' },
    brandName: `Bob's "Shop" & Co`,
    cart: {
      currency: 'USD',
      value: 10,
      items: [{ sku: 's', name: HOSTILE_ITEM, quantity: 1, unit_price: 10, image_url: 'https://cdn.example.com/a.jpg" onerror="alert(1)' }],
    },
  });
}

const template = (key: string) => DEFAULT_TEMPLATES.find((t) => t.key === key)!;
const ENTITY = /&(amp|lt|gt|quot|#39|#x27|#96|#x2F|#x3D);/;

describe('renderEmail', () => {
  it('HTML-escapes hostile customer and cart data in the HTML part', () => {
    const { html } = renderEmail(template('reminder-email'), hostileContext());
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>boots</b>');
    expect(html).toContain('Hi &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;,');
    expect(html).toContain('Tom&#39;s &quot;best&quot; &lt;b&gt;boots&lt;/b&gt; &amp; laces');
    expect(html).toContain('Bob&#39;s &quot;Shop&quot; &amp; Co');
    // The quote in the image URL was percent-encoded by URL parsing: it cannot close the attribute.
    expect(html).toContain('src="https://cdn.example.com/a.jpg%22%20onerror=%22alert(1)"');
    expect(html).not.toMatch(/ onerror="/);
  });

  it('renders the subject and text part without escaping artefacts', () => {
    const { subject, text } = renderEmail(template('reminder-email'), hostileContext());
    expect(subject).toBe(`${HOSTILE_NAME}, your cart is waiting`);
    expect(text).toContain(`Hi ${HOSTILE_NAME},`);
    expect(text).toContain(`- ${HOSTILE_ITEM} (x1): $10.00`);
    expect(text).toContain(`Bob's "Shop" & Co`);
    expect(text).not.toMatch(ENTITY);
  });

  it('keeps URLs readable in hrefs: only &, <, >, quotes and backticks are escaped', () => {
    expect(escapeHtml(`https://a.example/x?y=1&z=2 <"'\`>`)).toBe('https://a.example/x?y=1&amp;z=2 &lt;&quot;&#39;&#96;&gt;');
    const { html } = renderEmail(template('reminder-email'), testContext());
    expect(html).toContain('src="https://cdn.example.com/tee.jpg?w=128&amp;h=128"');
  });

  it('collapses a subject onto one line and falls back to the text part as HTML', () => {
    const rendered = renderEmail({ subject: 'Hi\r\n{{customer.firstName}}\nBcc: x@example.com', text: 'Hello <{{customer.firstName}}>' }, testContext());
    expect(rendered.subject).toBe('Hi Ann Bcc: x@example.com');
    expect(rendered.html).toContain('Hello &lt;Ann&gt;');
    expect(rendered.text).toBe('Hello <Ann>');
  });

  it('names the template when Mustache cannot parse it', () => {
    expect(() => renderEmail({ key: 'broken', subject: '{{#offer}}', text: 'x' }, testContext())).toThrow(TemplateRenderError);
    expect(() => renderEmail({ key: 'broken', subject: '{{#offer}}', text: 'x' }, testContext())).toThrow(/Template broken subject/);
  });
});

describe('renderSms', () => {
  it('renders hostile data as it is, with no HTML escaping', () => {
    const { body } = renderSms(template('reminder-sms'), hostileContext());
    expect(body).toContain(`Hi ${HOSTILE_NAME}, your cart ($10.00) is saved.`);
    expect(body.startsWith(`Bob's "Shop" & Co:`)).toBe(true);
    expect(body).not.toMatch(ENTITY);
  });

  it('replaces typography with GSM-7 look-alikes so the message stays GSM-7', () => {
    const context = testContext({ locale: 'fr-FR', cart: { currency: 'EUR', value: 1234.5, items: [] } });
    const rendered = renderSms({ text: 'Don’t wait – {{cart.total}} … “now”' }, context);
    expect(rendered.body).toBe(`Don't wait - 1 234,50 € ... "now"`);
    expect(rendered.encoding).toBe('GSM-7');
    expect(renderSms({ text: 'Don’t' }, context, { smartEncoding: false }).encoding).toBe('UCS-2');
  });

  it('counts the segments of the default SMS templates', () => {
    const rendered = renderSms(template('reminder-sms'), testContext({ channel: 'sms' }));
    expect(rendered.encoding).toBe('GSM-7');
    expect(rendered.segments).toBe(smsSegments(rendered.body).segments);
    expect(rendered.segments).toBeGreaterThanOrEqual(1);
  });
});

describe('smsSegments', () => {
  it('GSM-7: 160 septets in one segment, then 153 per segment', () => {
    expect(smsSegments('')).toMatchObject({ segments: 0 });
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsSegments('a'.repeat(306))).toMatchObject({ segments: 2 });
    expect(smsSegments('a'.repeat(307))).toMatchObject({ segments: 3 });
  });

  it('GSM-7: extension characters take two septets and are never split between segments', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments('{' + 'a'.repeat(159))).toMatchObject({ units: 161, segments: 2 });
    // 306 septets would fit two segments, but the € cannot straddle the boundary at 153.
    expect(smsSegments('a'.repeat(152) + '€' + 'a'.repeat(152))).toMatchObject({ units: 306, segments: 3 });
  });

  it('UCS-2: 70 code units in one segment, then 67; surrogate pairs are never split', () => {
    expect(smsSegments('ж'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsSegments('ж'.repeat(71))).toMatchObject({ segments: 2 });
    expect(smsSegments('ж'.repeat(134))).toMatchObject({ segments: 2 });
    expect(smsSegments('ж'.repeat(135))).toMatchObject({ segments: 3 });
    expect(smsSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    // 66 units + a pair would make 68 > 67: the pair moves to the next segment.
    expect(smsSegments('ж'.repeat(66) + '😀' + 'ж'.repeat(66))).toMatchObject({ units: 134, segments: 3 });
  });

  it('one character outside GSM-7 switches the whole message to UCS-2', () => {
    expect(smsSegments('a'.repeat(100) + 'ł')).toEqual({ encoding: 'UCS-2', units: 101, segments: 2 });
    expect(smsSegments('Café à 5 £, ¿qué? ÄÖÜ')).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});

describe('renderPush', () => {
  it('renders title and body on one line without escaping', () => {
    const push = renderPush(template('reminder-push'), hostileContext());
    expect(push.title).toBe('Your cart is waiting');
    expect(push.body).toBe(`${HOSTILE_NAME}, we saved your cart at Bob's "Shop" & Co ($10.00). Tap to complete your order.`);
    expect(push.truncated).toBe(false);
  });

  it('uses the brand name when the template has no title', () => {
    expect(renderPush({ text: 'x' }, testContext()).title).toBe('Acme Outfitters');
  });

  it('cuts the body with an ellipsis to keep the JSON payload within 3 KB, never inside a grapheme', () => {
    const context = testContext();
    const push = renderPush({ subject: 'Big', text: 'Deal 👍🏽 '.repeat(600) }, context);
    const payload = JSON.stringify({ title: push.title, body: push.body, url: context.links.resume, clickUrl: context.links.resume });
    expect(push.truncated).toBe(true);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(PUSH_PAYLOAD_LIMIT_BYTES);
    expect(Buffer.byteLength(payload)).toBeGreaterThan(PUSH_PAYLOAD_LIMIT_BYTES - 100);
    expect(push.body.endsWith('…')).toBe(true);
    expect(push.body).toMatch(/(👍🏽|Deal)…$/u); // cut between words
    expect(push.body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('measures the payload the caller describes', () => {
    const payload = (c: { title: string; body: string }) => ({ notification: c, padding: 'p'.repeat(900) });
    const push = renderPush({ subject: 'T', text: 'b'.repeat(2000) }, testContext(), { maxPayloadBytes: 1024, payload });
    expect(Buffer.byteLength(JSON.stringify(payload({ title: push.title, body: push.body })))).toBeLessThanOrEqual(1024);
    expect(push.body.length).toBeGreaterThan(50);
  });

  it('cuts the title too when the body alone is not enough', () => {
    const push = renderPush({ subject: 'T'.repeat(5000), text: 'body' }, testContext(), { payload: (c) => c });
    expect(push.body).toBe('');
    expect(push.title.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(JSON.stringify({ title: push.title, body: '' }))).toBeLessThanOrEqual(PUSH_PAYLOAD_LIMIT_BYTES);
  });
});
