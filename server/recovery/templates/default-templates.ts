import type { TemplateRow } from '../../../models/templates';

/** A templates row as seeded (version and updatedAt take their defaults). */
export type DefaultTemplate = Pick<TemplateRow, 'key' | 'channel' | 'name' | 'subject' | 'html' | 'text'>;

/*
 * Every `{{ }}` below is escaped for its channel by the renderer (HTML in email HTML, nothing elsewhere);
 * no template uses `{{{ }}}`. Email HTML uses tables and inline styles, the lowest common denominator
 * of mail clients, and quotes every attribute (the HTML escaper relies on it).
 */

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const GREETING = '{{#customer.firstName}}Hi {{customer.firstName}},{{/customer.firstName}}{{^customer.firstName}}Hi there,{{/customer.firstName}}';

function emailHtml(parts: { preheader: string; heading: string; intro: string; offer?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>{{brand.name}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f5;">
<div style="display:none;max-height:0;overflow:hidden;opacity:0;">${parts.preheader}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border-radius:8px;font-family:${FONT};color:#18181b;">
<tr><td style="padding:28px 32px 8px 32px;font-size:18px;font-weight:bold;">{{brand.name}}</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 12px 0;font-size:24px;line-height:32px;">${parts.heading}</h1>
<p style="margin:0 0 8px 0;font-size:16px;line-height:24px;">${GREETING}</p>
<p style="margin:0;font-size:16px;line-height:24px;">${parts.intro}</p>
</td></tr>
${parts.offer ?? ''}<tr><td style="padding:24px 32px 0 32px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
{{#cart.items}}
<tr>
<td width="72" valign="top" style="padding:8px 12px 8px 0;border-bottom:1px solid #e4e4e7;">{{#imageUrl}}<img src="{{imageUrl}}" width="64" height="64" alt="{{name}}" style="display:block;width:64px;height:64px;object-fit:cover;border-radius:6px;border:0;">{{/imageUrl}}</td>
<td valign="top" style="padding:8px 0;border-bottom:1px solid #e4e4e7;font-size:15px;line-height:22px;"><a href="{{links.resume}}" style="color:#18181b;text-decoration:none;font-weight:bold;">{{name}}</a><br><span style="color:#71717a;">Qty {{quantity}} &times; {{unitPrice}}</span></td>
<td align="right" valign="top" style="padding:8px 0 8px 12px;border-bottom:1px solid #e4e4e7;font-size:15px;line-height:22px;white-space:nowrap;">{{lineTotal}}</td>
</tr>
{{/cart.items}}
<tr>
<td></td>
<td style="padding:12px 0 0 0;font-size:16px;font-weight:bold;">Total</td>
<td align="right" style="padding:12px 0 0 12px;font-size:16px;font-weight:bold;white-space:nowrap;">{{cart.total}}</td>
</tr>
</table>
</td></tr>
<tr><td align="center" style="padding:32px 32px 8px 32px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
<td align="center" bgcolor="#18181b" style="border-radius:6px;">
<a href="{{links.resume}}" style="display:inline-block;padding:14px 32px;font-family:${FONT};font-size:17px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">Complete your order</a>
</td>
</tr></table>
</td></tr>
<tr><td align="center" style="padding:8px 32px 28px 32px;font-size:13px;line-height:20px;color:#71717a;">Questions? Just reply to this email.</td></tr>
</table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;">
<tr><td align="center" style="padding:16px 32px;font-family:${FONT};font-size:12px;line-height:18px;color:#71717a;">
You are receiving this email because you started a checkout at {{brand.name}}.<br>
<a href="{{links.unsubscribe}}" style="color:#71717a;text-decoration:underline;">Unsubscribe</a> from these reminders.<br>
&copy; {{brand.name}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

const OFFER_BLOCK = `{{#offer}}
<tr><td style="padding:20px 32px 0 32px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border:2px dashed #18181b;border-radius:8px;">
<tr><td align="center" style="padding:16px;">
<div style="font-size:15px;line-height:22px;">{{description}}</div>
<div style="margin-top:6px;font-size:24px;line-height:32px;font-weight:bold;letter-spacing:2px;font-family:Menlo,Consolas,monospace;">{{code}}</div>
{{#expiresAt}}<div style="margin-top:6px;font-size:13px;color:#71717a;">Valid until {{expiresAt}}</div>{{/expiresAt}}
</td></tr>
</table>
</td></tr>
{{/offer}}
`;

const CART_TEXT = `{{#cart.items}}
- {{name}} (x{{quantity}}): {{lineTotal}}
{{/cart.items}}

Total: {{cart.total}}`;

const TEXT_FOOTER = `--
You are receiving this email because you started a checkout at {{brand.name}}.
Unsubscribe: {{links.unsubscribe}}`;

export const DEFAULT_TEMPLATES: readonly DefaultTemplate[] = [
  {
    key: 'reminder-email',
    channel: 'email',
    name: 'Reminder (email)',
    subject: '{{#customer.firstName}}{{customer.firstName}}, your{{/customer.firstName}}{{^customer.firstName}}Your{{/customer.firstName}} cart is waiting',
    html: emailHtml({
      preheader: 'We saved your cart. Pick up where you left off.',
      heading: 'You left something behind',
      intro: 'We saved your cart at {{brand.name}} so you can pick up right where you left off.',
    }),
    text: `${GREETING}

We saved your cart at {{brand.name}} so you can pick up right where you left off:

${CART_TEXT}

Complete your order: {{links.resume}}

${TEXT_FOOTER}
`,
  },
  {
    key: 'offer-email',
    channel: 'email',
    name: 'Offer (email)',
    subject: '{{#offer}}{{offer.description}} on your cart{{/offer}}{{^offer}}Your cart is waiting{{/offer}}',
    html: emailHtml({
      preheader: '{{#offer}}Use code {{offer.code}} for {{offer.description}}.{{/offer}}{{^offer}}Your cart is still saved.{{/offer}}',
      heading: 'A little something to help you decide',
      intro: '{{#offer}}Your cart is still saved, and here is {{offer.description}} with the code below.{{/offer}}{{^offer}}Your cart is still saved.{{/offer}}',
      offer: OFFER_BLOCK,
    }),
    text: `${GREETING}

Your cart at {{brand.name}} is still saved.
{{#offer}}

Use code {{offer.code}} for {{offer.description}}.{{#offer.expiresAt}} Valid until {{offer.expiresAt}}.{{/offer.expiresAt}}
{{/offer}}

${CART_TEXT}

Complete your order: {{links.resume}}

${TEXT_FOOTER}
`,
  },
  {
    key: 'reminder-push',
    channel: 'push',
    name: 'Reminder (push)',
    subject: 'Your cart is waiting',
    html: null,
    text: '{{#customer.firstName}}{{customer.firstName}}, we{{/customer.firstName}}{{^customer.firstName}}We{{/customer.firstName}} saved your cart at {{brand.name}} ({{cart.total}}). Tap to complete your order.',
  },
  {
    key: 'offer-push',
    channel: 'push',
    name: 'Offer (push)',
    subject: '{{#offer}}{{offer.description}} on your cart{{/offer}}{{^offer}}Your cart is waiting{{/offer}}',
    html: null,
    text: '{{#offer}}Use code {{offer.code}} at {{brand.name}}.{{#offer.expiresAt}} Valid until {{offer.expiresAt}}.{{/offer.expiresAt}} {{/offer}}Tap to complete your order.',
  },
  {
    key: 'reminder-sms',
    channel: 'sms',
    name: 'Reminder (SMS)',
    subject: null,
    html: null,
    text: '{{brand.name}}: {{#customer.firstName}}Hi {{customer.firstName}}, your{{/customer.firstName}}{{^customer.firstName}}Your{{/customer.firstName}} cart ({{cart.total}}) is saved. Complete your order: {{links.resume}} Reply STOP to opt out',
  },
  {
    key: 'offer-sms',
    channel: 'sms',
    name: 'Offer (SMS)',
    subject: null,
    html: null,
    text: '{{brand.name}}: {{#customer.firstName}}Hi {{customer.firstName}}! {{/customer.firstName}}{{#offer}}Use code {{offer.code}} for {{offer.description}} on your cart. {{/offer}}{{^offer}}Your cart is saved. {{/offer}}Complete your order: {{links.resume}} Reply STOP to opt out',
  },
];

export const DEFAULT_TEMPLATE_KEYS = DEFAULT_TEMPLATES.map((t) => t.key);

export function defaultTemplate(key: string): DefaultTemplate | undefined {
  return DEFAULT_TEMPLATES.find((t) => t.key === key);
}
