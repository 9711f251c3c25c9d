/** The soak's four kinds of traffic, each a call that throws on anything but the expected answer. */
import { randomUUID } from 'node:crypto';

/** A request that answered, but not as expected (or not at all): the soak counts it as an error of its kind. */
async function expectJson(response: Response, what: string, ok: (status: number, body: any) => boolean): Promise<any> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (!ok(response.status, body)) throw new Error(`${what}: ${response.status} ${text.slice(0, 300)}`);
  return body;
}

export interface SoakTarget {
  url: string;
  writeKey: string;
  serverKey: string;
  adminToken: string;
  timezone: string;
}

const CART = { items: [{ sku: 'SOAK-1', name: 'Soak boots', quantity: 1, unit_price: 40 }], currency: 'USD' };

/**
 * Batch n: `size` new checkouts (started, contact entered with a fresh email, so each is its own shopper and the
 * frequency cap never links them), plus orders for the first `ordered` checkouts of batch n-1. The others go
 * idle, are swept as abandoned and get the default campaign's reminders.
 */
export function ingestBatch(target: SoakTarget, run: string, size: number, ordered: number) {
  return async (n: number) => {
    const at = new Date().toISOString();
    const events: Array<Record<string, unknown>> = [];
    for (let k = 0; k < size; k++) {
      const checkout = `${run}-${n}-${k}`;
      const customer = { anonymous_id: `anon-${checkout}`, email: `${checkout}@shoppers.example`, timezone: target.timezone };
      events.push({ event_id: randomUUID(), occurred_at: at, type: 'checkout_started', checkout_id: checkout, customer, cart: CART });
      events.push({ event_id: randomUUID(), occurred_at: at, type: 'contact_entered', checkout_id: checkout, customer });
    }
    if (n > 0) {
      for (let k = 0; k < ordered; k++) {
        events.push({ event_id: randomUUID(), occurred_at: at, type: 'order_completed', checkout_id: `${run}-${n - 1}-${k}`, order_id: `order-${run}-${n - 1}-${k}`, revenue: 40 });
      }
    }
    const response = await fetch(`${target.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.writeKey}` },
      body: JSON.stringify({ events }),
    });
    await expectJson(response, 'POST /v1/events', (status, body) => status === 200 && body?.accepted === events.length && body?.duplicates === 0);
  };
}

/** Whether a reminder's recipient is a shopper whose checkout `ingestBatch` ordered (batch n-1's first `ordered`). */
export function orderedRecipient(run: string, ordered: number, lastBatch: number) {
  const pattern = new RegExp(`^${run}-(\\d+)-(\\d+)@shoppers\\.example$`);
  return (recipient: string) => {
    const match = pattern.exec(recipient);
    return match !== null && Number(match[2]) < ordered && Number(match[1]) < lastBatch;
  };
}

async function serverApi(target: SoakTarget, method: string, path: string, body?: unknown) {
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${target.serverKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return expectJson(response, `${method} ${path}`, (status) => status >= 200 && status < 300);
}

/** One-click shoppers: a saved address and card each, set up before the clock starts. */
export async function setUpCustomers(target: SoakTarget, run: string, count: number): Promise<string[]> {
  const customers = Array.from({ length: count }, (_, i) => `${run}-customer-${i}`);
  for (const c of customers) {
    await serverApi(target, 'POST', `/v1/customers/${c}/addresses`, { address: { name: 'Ada', line1: '1 Main Street', city: 'Springfield', region: 'IL', postalCode: '62701', countryCode: 'US' } });
    await serverApi(target, 'POST', `/v1/customers/${c}/payment-methods`, { provider: 'stripe', token: 'pm_card_visa', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 });
  }
  return customers;
}

/** Completion n: a fresh checkout for one of the customers, completed in one click (charged at the Stripe peer). */
export function oneClickCompletion(target: SoakTarget, customers: string[]) {
  return async (n: number) => {
    const checkout = await serverApi(target, 'POST', '/v1/checkouts', { customer_id: customers[n % customers.length], cart: CART });
    const done = await serverApi(target, 'POST', `/v1/checkouts/${checkout.id}/complete`);
    if (!done?.order_id) throw new Error(`complete ${checkout.id} answered without an order: ${JSON.stringify(done).slice(0, 300)}`);
  };
}

export const REPORTS = { report_funnel: 'funnel', report_recovery: 'recovery', report_lift: 'lift' } as const;

/** A console read of one report with the operations token (default range: the last 30 days, today included). */
export function reportRead(target: SoakTarget, report: string) {
  return async () => {
    const response = await fetch(`${target.url}/admin/api/reports/${report}`, { headers: { authorization: `Bearer ${target.adminToken}` } });
    await expectJson(response, `GET /admin/api/reports/${report}`, (status, body) => status === 200 && typeof body === 'object' && body?.report === report);
  };
}
