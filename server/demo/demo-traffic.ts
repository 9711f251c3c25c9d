/**
 * A few weeks of a storefront's checkouts as ingestion events, drawn from the simulated shop of
 * ml/worlds/default.json (its segments give cart values, devices, how far shoppers get and how many buy).
 * Pure: the clock and the seed are passed in. Every address is @example.com and every number one reserved
 * for fiction, so whatever the engine sends reaches nobody.
 */
import { randomUUID } from 'node:crypto';
import { createRandom, pickWeighted, type Random } from '../../ml/random';
import { drawCheckout } from '../../ml/simulator/checkouts';
import type { World } from '../../ml/simulator/world';

const STAGE_EVENTS = ['checkout_started', 'contact_entered', 'shipping_entered', 'payment_entered'] as const;
const STAGE_DEPTH = { started: 1, contact: 2, shipping: 3, payment: 4 } as const;
const PRODUCTS = [
  { sku: 'BOOT-42', name: 'Leather boots', price: 129 },
  { sku: 'SCARF-W', name: 'Wool scarf', price: 35 },
  { sku: 'COAT-N', name: 'Navy coat', price: 219 },
  { sku: 'SOCK-3', name: 'Merino socks (3 pairs)', price: 24 },
  { sku: 'BAG-T', name: 'Canvas tote', price: 49 },
];
const DEVICES = { mobile: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Mobile', desktop: 'Mozilla/5.0 (X11; Linux x86_64)', tablet: 'Mozilla/5.0 (iPad; CPU OS 18_0)' };
const AREA_CODES = ['212', '415', '312', '617', '206', '303', '512', '702'];
const ZONES = ['Europe/Paris', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Europe/Berlin'];

export interface DemoTrafficOptions {
  world: World;
  now: Date;
  days: number;
  checkouts: number;
  seed: number;
  /** Share of shoppers who buy without any reminder. @defaultValue 0.45 */
  organicPurchaseRate?: number;
}

export type DemoEvent = Record<string, unknown>;

/** Every checkout's events in time order; a checkout's events are minutes apart, checkouts spread over `days`. */
export function demoTraffic(options: DemoTrafficOptions): DemoEvent[] {
  const random = createRandom(options.seed);
  const events: DemoEvent[] = [];
  const start = options.now.getTime() - options.days * 86_400_000;
  // Nobody is still mid-checkout: the last journey ends an hour before now.
  const span = options.days * 86_400_000 - 3_600_000;
  for (let i = 0; i < options.checkouts; i++) {
    const begin = new Date(start + Math.floor(random() * span));
    const drawn = drawCheckout(options.world, random, `demo-${i}`, begin);
    events.push(...journey(random, i, begin, drawn.ctx.cartValue, drawn.ctx.device, drawn.stage, drawn.ctx.reachable, options.organicPurchaseRate ?? 0.45));
  }
  return events.sort((a, b) => String(a.occurred_at).localeCompare(String(b.occurred_at)));
}

function journey(
  random: Random,
  n: number,
  begin: Date,
  cartValue: number,
  device: string,
  stage: keyof typeof STAGE_DEPTH,
  reachable: { email: boolean; sms: boolean; push: boolean },
  purchaseRate: number,
): DemoEvent[] {
  const checkoutId = `demo-${n}`;
  const customer = {
    anonymous_id: `anon-demo-${n}`,
    email: reachable.email ? `shopper${n}@example.com` : undefined,
    // 555-0100 to 555-0199 are reserved for fiction in every North American area code.
    phone: reachable.sms ? `+1${AREA_CODES[n % AREA_CODES.length]}5550${String(100 + (n % 100))}` : undefined,
    timezone: ZONES[n % ZONES.length],
  };
  const items = cartOf(random, cartValue);
  const context = { user_agent: DEVICES[device as keyof typeof DEVICES] ?? DEVICES.desktop, page: { url: `https://demo.shop.example/checkout/${checkoutId}` }, utm_source: pickWeighted(random, { google: 0.4, newsletter: 0.3, instagram: 0.3 }) };
  let at = begin.getTime();
  const next = () => new Date((at += (1 + Math.floor(random() * 4)) * 60_000)).toISOString();
  const buys = random() < purchaseRate;
  const depth = buys ? STAGE_EVENTS.length : STAGE_DEPTH[stage];
  const out: DemoEvent[] = [];
  for (let step = 0; step < depth; step++) {
    const type = STAGE_EVENTS[step];
    out.push({
      event_id: randomUUID(),
      type,
      occurred_at: next(),
      checkout_id: checkoutId,
      customer,
      ...(step === 0 ? { cart: { items, currency: 'EUR' }, context } : {}),
    });
    if (type === 'contact_entered' && reachable.sms) {
      out.push({ event_id: randomUUID(), type: 'consent_changed', occurred_at: next(), customer, properties: { channel: 'sms', granted: true } });
    }
  }
  if (buys) {
    out.push({ event_id: randomUUID(), type: 'order_completed', occurred_at: next(), checkout_id: checkoutId, order_id: `order-demo-${n}`, revenue: cartValue, customer });
  }
  return out;
}

/** Cart lines that add up to about the drawn value. */
function cartOf(random: Random, value: number) {
  const lines: { sku: string; name: string; quantity: number; unit_price: number }[] = [];
  let left = value;
  while (left > 20 && lines.length < 4) {
    const product = PRODUCTS[Math.floor(random() * PRODUCTS.length)];
    const quantity = Math.max(1, Math.min(3, Math.floor(left / product.price)));
    lines.push({ sku: product.sku, name: product.name, quantity, unit_price: product.price });
    left -= quantity * product.price;
  }
  if (lines.length === 0) lines.push({ sku: 'SOCK-3', name: 'Merino socks (3 pairs)', quantity: 1, unit_price: Math.max(1, Math.round(value)) });
  return lines;
}
