/**
 * Who one simulated shopper is and what they will do: pure, drawn from a seeded random so a run can be replayed.
 * Addresses are @example.com and numbers are 555-01xx (reserved for fiction): nothing reaches a real person.
 */
import type { Random } from '../../ml/random';

export interface CartLine {
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
}

export interface ShopperPlan {
  n: number;
  customerId: string;
  checkoutId: string;
  email: string | null;
  phone: string | null;
  /** Grants SMS consent at the contact step. */
  smsConsent: boolean;
  /** Subscribes to web push (with consent). */
  push: boolean;
  /** Saved address and card at the storefront: the reminder's link lands one click from done. */
  oneClick: boolean;
  cart: CartLine[];
  /** How far they get before leaving: 2 contact, 3 shipping, 4 payment. */
  depth: 2 | 3 | 4;
  /** Buys at once, never abandons. */
  buysNow: boolean;
  /** Comes back on their own (reminded or not) this long after leaving, as a share of the run; null: never. */
  organicReturn: number | null;
  /** Per reminder: opens it, clicks it, buys after clicking. */
  opens: number;
  clicks: number;
  buysAfterClick: number;
}

// No image URLs: a fictional CDN does not resolve, and the console's previews would show broken images.
const PRODUCTS = [
  { sku: 'BOOT-42', name: 'Leather boots', price: 129 },
  { sku: 'SCARF-W', name: 'Wool scarf', price: 35 },
  { sku: 'COAT-N', name: 'Navy coat', price: 219 },
  { sku: 'SOCK-3', name: 'Merino socks (3 pairs)', price: 24 },
  { sku: 'BAG-T', name: 'Canvas tote', price: 49 },
];
const AREA_CODES = ['212', '415', '312', '617', '206', '303', '512', '702'];

export function drawShopper(random: Random, n: number, runTag: string): ShopperPlan {
  const lines = 1 + Math.floor(random() * 3);
  const cart: CartLine[] = [];
  for (let i = 0; i < lines; i++) {
    const p = PRODUCTS[Math.floor(random() * PRODUCTS.length)];
    if (cart.some((l) => l.sku === p.sku)) continue;
    cart.push({ sku: p.sku, name: p.name, quantity: 1 + Math.floor(random() * 2), unit_price: p.price });
  }
  // 8 area codes × 100 fictional numbers: each shopper's own (beyond 800 shoppers, the rest go without).
  const hasPhone = random() < 0.45 && n < 800;
  return {
    n,
    customerId: `demo-${runTag}-${n}`,
    checkoutId: `co-${runTag}-${n}`,
    // Most give an email; a few only a phone.
    email: random() < 0.9 || !hasPhone ? `shopper${n}.${runTag}@example.com` : null,
    phone: hasPhone ? `+1${AREA_CODES[Math.floor(n / 100) % AREA_CODES.length]}5550${String(100 + (n % 100))}` : null,
    smsConsent: hasPhone && random() < 0.8,
    push: random() < 0.3,
    oneClick: random() < 0.5,
    cart,
    depth: (2 + Math.floor(random() * 3)) as 2 | 3 | 4,
    buysNow: random() < 0.15,
    organicReturn: random() < 0.12 ? 0.05 + random() * 0.3 : null,
    opens: 0.6,
    clicks: 0.4,
    buysAfterClick: 0.55,
  };
}

export function cartValue(plan: ShopperPlan): number {
  return plan.cart.reduce((sum, l) => sum + l.quantity * l.unit_price, 0);
}
