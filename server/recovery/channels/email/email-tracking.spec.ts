import { describe, expect, it } from 'vitest';
import { SignedLinks } from '../../links/signed-links';
import { DEFAULT_TEMPLATES } from '../../templates/default-templates';
import { testContext } from '../../templates/test-context';
import { composeEmail, decodeHtmlAttribute, emailHeaders, listUnsubscribeHeaders, trackEmailHtml } from './email-tracking';

const links = new SignedLinks('https://recover.example.com', 'test-secret');
const MESSAGE = 'msg-1';

/** The claims of every signed click link in the HTML, in order. */
function clicks(html: string) {
  return [...html.matchAll(/href="https:\/\/recover\.example\.com\/r\/click\/([^"]+)"/g)].map((m) => links.verify('click', m[1]!));
}

describe('listUnsubscribeHeaders', () => {
  it('offers the HTTPS link with RFC 8058 one-click, and a mailto when given', () => {
    expect(listUnsubscribeHeaders('https://recover.example.com/r/unsubscribe/abc.def')).toEqual({
      'List-Unsubscribe': '<https://recover.example.com/r/unsubscribe/abc.def>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(listUnsubscribeHeaders('https://r.example/u', { mailto: 'unsubscribe@shop.example' })['List-Unsubscribe']).toBe(
      '<https://r.example/u>, <mailto:unsubscribe@shop.example?subject=unsubscribe>',
    );
  });
});

describe('emailHeaders', () => {
  it('points List-Unsubscribe at the message\'s signed email unsubscribe link', () => {
    const headers = emailHeaders(links, MESSAGE);
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const token = /^<https:\/\/recover\.example\.com\/r\/unsubscribe\/([^>]+)>$/.exec(headers['List-Unsubscribe']!)![1]!;
    expect(links.verify('unsubscribe', token)).toEqual({ action: 'unsubscribe', messageId: MESSAGE, channel: 'email' });
  });
});

describe('trackEmailHtml', () => {
  const unsubscribe = links.unsubscribe(MESSAGE, 'email');
  const html = `<html><head><link rel="stylesheet" href="https://cdn.example.com/s.css"></head><body>
<a href="https://shop.example.com/p?a=1&amp;b=2" class="x">Product</a>
<a class='y' href='http://shop.example.com/plain'>Plain</a>
<a href=https://shop.example.com/bare>Bare</a>
<a title="href=https://evil.example/ inside a value" href="https://shop.example.com/t">Title</a>
<a href="mailto:help@shop.example">Mail</a> <a href="tel:+15551234">Call</a> <a href="#top">Top</a>
<a href="${unsubscribe}">Unsubscribe</a>
<a href="${links.click(MESSAGE, 'https://shop.example.com/resume')}">Already tracked</a>
<img src="https://cdn.example.com/a.jpg" alt="href=&quot;https://x.example&quot;">
<p>Text mentioning href="https://text.example" stays text</p>
</body></html>`;

  it('turns every http(s) link into a signed click link to the same place', () => {
    const tracked = trackEmailHtml(html, MESSAGE, links, { unsubscribeUrl: unsubscribe });
    expect(clicks(tracked).map((c) => c?.target)).toEqual([
      'https://shop.example.com/p?a=1&b=2',
      'http://shop.example.com/plain',
      'https://shop.example.com/bare',
      'https://shop.example.com/t',
      'https://shop.example.com/resume',
    ]);
    expect(clicks(tracked).every((c) => c?.messageId === MESSAGE)).toBe(true);
    expect(tracked).toContain('class="x">Product</a>');
    expect(tracked).toContain(`title="href=https://evil.example/ inside a value" href="https://recover.example.com/r/click/`);
  });

  it('leaves non-http links, the unsubscribe link, stylesheets, images and text alone', () => {
    const tracked = trackEmailHtml(html, MESSAGE, links, { unsubscribeUrl: unsubscribe });
    expect(tracked).toContain('<a href="mailto:help@shop.example">');
    expect(tracked).toContain('<a href="tel:+15551234">');
    expect(tracked).toContain('<a href="#top">');
    expect(tracked).toContain(`<a href="${unsubscribe}">Unsubscribe</a>`);
    expect(tracked).toContain('<link rel="stylesheet" href="https://cdn.example.com/s.css">');
    expect(tracked).toContain('<img src="https://cdn.example.com/a.jpg" alt="href=&quot;https://x.example&quot;">');
    expect(tracked).toContain('Text mentioning href="https://text.example" stays text');
  });

  it('puts the signed open pixel right before </body>, or at the end without one', () => {
    const tracked = trackEmailHtml(html, MESSAGE, links);
    const pixel = `<img src="${links.open(MESSAGE)}" width="1" height="1" alt="" style="display:none">`;
    expect(tracked.endsWith(`${pixel}</body></html>`)).toBe(true);
    expect(trackEmailHtml('<p>x</p>', MESSAGE, links)).toBe(`<p>x</p>${pixel}`);
    expect(trackEmailHtml('<BODY>İİİ</BODY >', MESSAGE, links)).toBe(`<BODY>İİİ${pixel}</BODY >`);
    const token = /r\/open\/([^"]+)"/.exec(tracked)![1]!;
    expect(links.verify('open', token)).toEqual({ action: 'open', messageId: MESSAGE });
  });

  it('decodes character references in attribute values', () => {
    expect(decodeHtmlAttribute('https:&#x2F;&#x2F;a.example&#47;?x=1&amp;y=&quot;2&quot;&nbsp;')).toBe('https://a.example/?x=1&y="2"&nbsp;');
  });
});

describe('composeEmail', () => {
  it('renders a default template into a trackable email with unsubscribe headers', () => {
    const context = testContext({ links, messageId: MESSAGE });
    const email = composeEmail(DEFAULT_TEMPLATES.find((t) => t.key === 'reminder-email')!, context, { links, messageId: MESSAGE });
    expect(email.subject).toBe('Ann, your cart is waiting');
    expect(email.headers).toEqual(listUnsubscribeHeaders(context.links.unsubscribe));
    // Resume links are signed already: kept as they are, not wrapped twice.
    const targets = clicks(email.html).map((c) => c?.target);
    expect(targets.length).toBeGreaterThanOrEqual(3);
    expect(new Set(targets)).toEqual(new Set(['https://shop.example.com/checkout/resume?token=abc&utm_source=recovery']));
    expect(email.html).toContain(`href="${context.links.unsubscribe}"`);
    expect(email.html).toContain(links.open(MESSAGE));
    expect(email.text).toContain(context.links.resume);
  });
});
