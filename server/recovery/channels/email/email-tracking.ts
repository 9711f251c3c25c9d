import type { SignedLinks } from '../../links/signed-links';
import { escapeHtml, renderEmail, TemplateSource } from '../../templates/render';
import type { TemplateContext } from '../../templates/template-context';
import type { RenderedEmail } from '../channel';

export interface UnsubscribeHeaderOptions {
  /** An address that unsubscribes whoever writes to it, offered as a second method (optional). */
  mailto?: string;
  /** Subject of the mailto: link. Default "unsubscribe". */
  mailtoSubject?: string;
}

/**
 * List-Unsubscribe with the signed HTTPS link (and optionally a mailto:), plus List-Unsubscribe-Post for
 * RFC 8058 one-click unsubscribe: mailbox providers POST `List-Unsubscribe=One-Click` to the HTTPS link.
 */
export function listUnsubscribeHeaders(unsubscribeUrl: string, options: UnsubscribeHeaderOptions = {}): Record<string, string> {
  const targets = [`<${unsubscribeUrl}>`];
  if (options.mailto) targets.push(`<mailto:${options.mailto}?subject=${encodeURIComponent(options.mailtoSubject ?? 'unsubscribe')}>`);
  return { 'List-Unsubscribe': targets.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** The headers of a message's email: List-Unsubscribe (+ One-Click POST) on its signed email unsubscribe link. */
export function emailHeaders(links: SignedLinks, messageId: string, options: UnsubscribeHeaderOptions = {}): Record<string, string> {
  return listUnsubscribeHeaders(links.unsubscribe(messageId, 'email'), options);
}

/** Decodes the character references an attribute value may hold (Mustache output, hand-written &amp;). */
export function decodeHtmlAttribute(value: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return named[ref.toLowerCase()] ?? whole;
  });
}

/** The `<scheme://host[:port]>/r/` prefix every signed link shares. */
function trackingPrefix(links: SignedLinks): string {
  const probe = links.open('_');
  return probe.slice(0, probe.lastIndexOf('/r/open/') + '/r/'.length);
}

const TAG = /<([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s"'>/=]+)(?:(\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
/** Tags whose href is a link the reader follows (not `<link>` or `<base>`). */
const LINK_TAGS = new Set(['a', 'area', 'v:roundrect']);

export interface TrackEmailHtmlOptions {
  /** Left alone in any case (it is a signed link already, so it would be anyway). */
  unsubscribeUrl?: string;
}

/**
 * Makes email HTML trackable: every http(s) href of a link (`<a>`, `<area>`, VML `<v:roundrect>`) becomes a
 * signed click link to the same place, except links that are signed links already (the unsubscribe link, a
 * tracked resume link) and non-http links (mailto:, tel:, #anchors); then the open pixel goes in before
 * `</body>` (at the end when there is none).
 */
export function trackEmailHtml(html: string, messageId: string, links: SignedLinks, options: TrackEmailHtmlOptions = {}): string {
  const prefix = trackingPrefix(links);
  const rewritten = html.replace(TAG, (tag: string, name: string, attributes: string, selfClosing: string) => {
    if (!LINK_TAGS.has(name.toLowerCase())) return tag;
    let changed = false;
    const newAttributes = attributes.replace(
      ATTRIBUTE,
      (attribute: string, attrName: string, equals: string | undefined, dq?: string, sq?: string, bare?: string) => {
        if (attrName.toLowerCase() !== 'href' || equals === undefined) return attribute;
        const url = decodeHtmlAttribute((dq ?? sq ?? bare ?? '').trim());
        if (!/^https?:\/\//i.test(url) || url.startsWith(prefix) || url === options.unsubscribeUrl) return attribute;
        changed = true;
        return `${attrName}="${escapeHtml(links.click(messageId, url))}"`;
      },
    );
    return changed ? `<${name}${newAttributes}${selfClosing ? ' /' : ''}>` : tag;
  });
  const pixel = `<img src="${escapeHtml(links.open(messageId))}" width="1" height="1" alt="" style="display:none">`;
  let bodyEnd = -1;
  for (const match of rewritten.matchAll(/<\/body\s*>/gi)) bodyEnd = match.index;
  return bodyEnd >= 0 ? `${rewritten.slice(0, bodyEnd)}${pixel}${rewritten.slice(bodyEnd)}` : `${rewritten}${pixel}`;
}

export interface ComposeEmailOptions extends UnsubscribeHeaderOptions {
  links: SignedLinks;
  messageId: string;
}

/**
 * Renders an email template into what EmailSender sends: Mustache rendering, tracked links and the open
 * pixel in the HTML, List-Unsubscribe headers pointing at the context's unsubscribe link.
 */
export function composeEmail(template: TemplateSource, context: TemplateContext, options: ComposeEmailOptions): RenderedEmail {
  const rendered = renderEmail(template, context);
  return {
    subject: rendered.subject,
    html: trackEmailHtml(rendered.html, options.messageId, options.links, { unsubscribeUrl: context.links.unsubscribe }),
    text: rendered.text,
    headers: listUnsubscribeHeaders(context.links.unsubscribe, options),
  };
}
