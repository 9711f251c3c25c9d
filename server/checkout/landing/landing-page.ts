import { escapeHtml as e } from '../../recovery/templates/render';
import type { CartChange } from './cart-changes';
import type { Landing } from './landing.service';

type Open = Extract<Landing, { kind: 'checkout' }>;

function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#18181b}
table{width:100%;border-collapse:collapse}td{padding:.4rem 0;border-bottom:1px solid #e4e4e7}td.n{text-align:right}
.note{background:#fef9c3;padding:.6rem .8rem;border-radius:.4rem}.err{background:#fee2e2;padding:.6rem .8rem;border-radius:.4rem}
.ok{background:#dcfce7;padding:.6rem .8rem;border-radius:.4rem}
button{font-size:1.05rem;padding:.8rem 1.6rem;border-radius:.4rem;border:0;background:#18181b;color:#fff;cursor:pointer;width:100%}
a.secondary{display:block;text-align:center;margin-top:1rem;color:#52525b}`;

/** A page for shoppers: self-contained, every value escaped, no scripts. */
export function shopperPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function changeLine(change: CartChange, currency: string): string {
  switch (change.kind) {
    case 'price':
      return `${e(change.name)}: the price is now ${e(money(change.after, currency))} (was ${e(money(change.before, currency))})`;
    case 'quantity':
      return `${e(change.name)}: quantity is now ${change.after} (was ${change.before})`;
    case 'removed':
      return `${e(change.name)} is no longer in your cart`;
    case 'unavailable':
      return `${e(change.name)} is out of stock`;
    case 'added':
      return `${e(change.name)} was added to your cart`;
  }
}

/** The restored cart with what changed, the code, the saved address and card, and the one-click button. */
export function landingPage(landing: Open, token: string, idempotencyKey: string, notice?: { kind: 'err' | 'note'; text: string }): string {
  const { details, brand } = landing;
  const { session, totals, paymentMethod } = details;
  const cur = totals.currency;
  const rows = session.cart.items
    .map((i) => `<tr><td>${e(i.name ?? i.sku)} × ${i.quantity}</td><td class="n">${e(money(i.quantity * i.unit_price, cur))}</td></tr>`)
    .join('');
  const changes = landing.changes.length
    ? `<div class="note" id="changes"><strong>Your cart changed since we wrote to you:</strong><ul>${landing.changes.map((c) => `<li>${changeLine(c, cur)}</li>`).join('')}</ul>The total below is what you will pay.</div>`
    : '';
  const offer = landing.offer
    ? landing.offer.applied
      ? `<p class="ok" id="offer">Code <strong>${e(landing.offer.code)}</strong> applied.</p>`
      : `<p class="note" id="offer">Code ${e(landing.offer.code)} could not be applied: ${e(landing.offer.message ?? '')}</p>`
    : '';
  const address = session.shippingAddress;
  const shipTo = address ? `<p id="ship-to">Ship to: ${e([address.name, address.line1, address.line2, address.city, address.postalCode, address.countryCode].filter(Boolean).join(', '))}</p>` : '';
  const card = paymentMethod ? `<p id="card">Pay with ${e(paymentMethod.brand)} ending ${e(paymentMethod.last4)}</p>` : '';
  const store = landing.storeUrl ? `<a class="secondary" href="${e(landing.storeUrl)}">Continue at ${e(brand)} instead</a>` : '';
  const action =
    landing.oneClick && !landing.unavailable
      ? `<form method="post" action="/c/${e(token)}/complete"><input type="hidden" name="expected_total" value="${totals.total}"><input type="hidden" name="idempotency_key" value="${e(idempotencyKey)}"><button type="submit" id="pay">Pay ${e(money(totals.total, cur))} now</button></form>`
      : landing.unavailable
        ? `<p class="err">Some items are out of stock; please review your cart at the store.</p>`
        : '';
  const message = notice ? `<p class="${notice.kind}" id="notice">${e(notice.text)}</p>` : '';
  return shopperPage(
    `Your ${brand} order`,
    `<h1>Your cart at ${e(brand)}</h1>${message}${changes}<table id="cart">${rows}
<tr><td>Subtotal</td><td class="n">${e(money(totals.subtotal, cur))}</td></tr>
${totals.discount ? `<tr><td>Discount</td><td class="n" id="discount">−${e(money(totals.discount, cur))}</td></tr>` : ''}
${session.shippingMethod ? `<tr><td>Shipping (${e(session.shippingMethod.label)})</td><td class="n">${e(money(totals.shipping, cur))}</td></tr>` : ''}
<tr><td><strong>Total</strong></td><td class="n" id="total"><strong>${e(money(totals.total, cur))}</strong></td></tr></table>
${offer}${shipTo}${card}${action}${store}`,
  );
}

export function messagePage(title: string, text: string, storeUrl: string | null, brand = 'the store'): string {
  return shopperPage(title, `<h1>${e(title)}</h1><p>${e(text)}</p>${storeUrl ? `<p><a href="${e(storeUrl)}">Go to ${e(brand)}</a></p>` : ''}`);
}
