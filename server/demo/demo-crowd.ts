/**
 * The simulated shoppers at work against the running server, from outside as a storefront and a person would:
 * events through the ingestion API with the source's write key, saved cards through the storefront API with
 * its server key, and the reminders read from the local sinks — opened through their pixel, clicked through
 * their tracked links, and paid on the one-click page (Stripe peer) or by an order the storefront reports.
 */
import { randomUUID } from 'node:crypto';
import type { Random } from '../../ml/random';
import type { DemoPeers } from './demo-stack';
import { cartValue, type ShopperPlan } from './demo-shopper';

export interface CrowdStats {
  arrived: number;
  boughtAtOnce: number;
  remindersReceived: number;
  opened: number;
  clicked: number;
  oneClickOrders: number;
  reportedOrders: number;
  organicOrders: number;
  failures: number;
}

interface Shopper {
  plan: ShopperPlan;
  subscriptionId: string | null;
  leftAt: number | null;
  bought: boolean;
}

const ADDRESS = { name: 'Ada Lovelace', line1: '12 main street', city: 'springfield', region: 'IL', postalCode: '62701', countryCode: 'US' };
const CARD = { provider: 'stripe', token: 'pm_card_visa', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 };
const STAGES = ['checkout_started', 'contact_entered', 'shipping_entered', 'payment_entered'] as const;

export class DemoCrowd {
  readonly stats: CrowdStats = { arrived: 0, boughtAtOnce: 0, remindersReceived: 0, opened: 0, clicked: 0, oneClickOrders: 0, reportedOrders: 0, organicOrders: 0, failures: 0 };
  private readonly shoppers: Shopper[] = [];
  private readonly pending = new Set<Promise<void>>();
  private seen = { mail: 0, sms: 0, push: 0 };
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly keys: { writeKey: string; serverKey: string; vapidPublicKey: string },
    private readonly peers: DemoPeers,
    private readonly random: Random,
    /** The zone every shopper lives in: where it is daytime now (quiet hours never scale). */
    private readonly timezone: string,
    /** How long the run is, for organic returns placed in it. */
    private readonly runMs: number,
    private readonly warn: (line: string) => void,
  ) {}

  /** A shopper arrives: browses, checks out as far as they go, then buys or leaves. */
  arrive(plan: ShopperPlan): void {
    const shopper: Shopper = { plan, subscriptionId: null, leftAt: null, bought: false };
    this.shoppers.push(shopper);
    this.stats.arrived++;
    this.track(this.journey(shopper));
  }

  /** Reads what the sinks received since the last look and lets each recipient react. */
  react(): void {
    const { smtp, twilio, push } = this.peers;
    for (const mail of smtp.messages.slice(this.seen.mail)) {
      const shopper = this.shoppers.find((s) => s.plan.email !== null && mail.to.includes(s.plan.email));
      if (shopper && mail.html) this.track(this.onEmail(shopper, mail.html));
    }
    this.seen.mail = smtp.messages.length;
    for (const sms of twilio.messages.slice(this.seen.sms)) {
      const shopper = this.shoppers.find((s) => s.plan.phone === sms.to);
      if (shopper) this.track(this.onSms(shopper, sms.body));
    }
    this.seen.sms = twilio.messages.length;
    for (const note of push.received.slice(this.seen.push)) {
      const shopper = this.shoppers.find((s) => s.subscriptionId === note.subscriptionId);
      if (shopper) this.track(this.onPush(shopper, note.payload as { url?: string; clickUrl?: string }));
    }
    this.seen.push = push.received.length;
    // Some come back on their own, reminded or not (the held-out ones too): the baseline the Lift report compares with.
    const now = Date.now();
    for (const s of this.shoppers) {
      if (!s.bought && s.leftAt !== null && s.plan.organicReturn !== null && now >= s.leftAt + s.plan.organicReturn * this.runMs) {
        s.bought = true;
        this.stats.organicOrders++;
        this.track(this.reportOrder(s));
      }
    }
  }

  /** Stops reacting and waits for what is under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.pending]);
  }

  private track(work: Promise<void>) {
    const p = work.catch((error: Error) => {
      this.stats.failures++;
      this.warn(`a shopper's request failed: ${error.message}`);
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private customer(plan: ShopperPlan) {
    return { id: plan.customerId, anonymous_id: `anon-${plan.customerId}`, email: plan.email ?? undefined, phone: plan.phone ?? undefined, timezone: this.timezone };
  }

  private async journey(s: Shopper) {
    const { plan } = s;
    if (plan.oneClick) {
      await this.storefront(`/v1/customers/${plan.customerId}/addresses`, { address: ADDRESS });
      await this.storefront(`/v1/customers/${plan.customerId}/payment-methods`, CARD);
    }
    const customer = this.customer(plan);
    const events: Record<string, unknown>[] = [];
    const depth = plan.buysNow ? 4 : plan.depth;
    for (let step = 0; step < depth; step++) {
      events.push({
        type: STAGES[step],
        checkout_id: plan.checkoutId,
        customer,
        ...(step === 0
          ? { cart: { items: plan.cart, currency: 'EUR' }, context: { page: { url: `https://boots.example/checkout/${plan.checkoutId}` }, user_agent: plan.n % 3 ? 'Mozilla/5.0 (iPhone) Mobile' : 'Mozilla/5.0 (X11; Linux x86_64)', utm_source: ['google', 'newsletter', 'instagram'][plan.n % 3] } }
          : {}),
      });
      if (step === 1 && plan.smsConsent) events.push({ type: 'consent_changed', customer, properties: { channel: 'sms', granted: true } });
      if (step === 1 && plan.push) {
        const subscription = this.peers.push.createSubscription({ applicationServerKey: this.keys.vapidPublicKey });
        s.subscriptionId = subscription.id;
        events.push({ type: 'push_subscribed', customer, properties: { subscription: { endpoint: subscription.endpoint, keys: subscription.keys } } });
        events.push({ type: 'consent_changed', customer, properties: { channel: 'push', granted: true } });
      }
    }
    await this.post(events);
    if (plan.buysNow) {
      s.bought = true;
      this.stats.boughtAtOnce++;
      await this.reportOrder(s);
      return;
    }
    s.leftAt = Date.now();
  }

  private async onEmail(s: Shopper, html: string) {
    this.stats.remindersReceived++;
    if (this.stopped || this.random() >= s.plan.opens) return;
    const pixel = /src="([^"]*\/r\/open\/[^"]+)"/.exec(html)?.[1];
    if (pixel) {
      await this.get(decodeAttribute(pixel));
      this.stats.opened++;
    }
    const link = /href="([^"]*\/r\/click\/[^"]+)"/.exec(html)?.[1];
    if (link && this.random() < s.plan.clicks) await this.clickThrough(s, decodeAttribute(link));
  }

  private async onSms(s: Shopper, body: string) {
    this.stats.remindersReceived++;
    const link = /https?:\/\/\S+\/r\/s\/\S+/.exec(body)?.[0];
    if (!this.stopped && link && this.random() < s.plan.clicks) await this.clickThrough(s, link);
  }

  private async onPush(s: Shopper, payload: { url?: string; clickUrl?: string }) {
    this.stats.remindersReceived++;
    if (this.stopped || !payload.url || this.random() >= s.plan.clicks) return;
    // What the service worker does on a click: report it, then open the page.
    if (payload.clickUrl) await fetch(payload.clickUrl, { method: 'POST' });
    await this.clickThrough(s, payload.url);
  }

  /** Follows a tracked link to the checkout page; some pay there in one click, others finish at the store. */
  private async clickThrough(s: Shopper, link: string) {
    const page = await fetch(link);
    const html = await page.text();
    this.stats.clicked++;
    if (s.bought || this.random() >= s.plan.buysAfterClick) return;
    s.bought = true;
    const form = /<form method="post" action="([^"]+)">.*?name="expected_total" value="([^"]+)".*?name="idempotency_key" value="([^"]+)"/s.exec(html);
    if (page.ok && form) {
      const answer = await fetch(new URL(decodeAttribute(form[1]), this.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ expected_total: decodeAttribute(form[2]), idempotency_key: decodeAttribute(form[3]) }).toString(),
      });
      if (answer.ok) {
        this.stats.oneClickOrders++;
        return;
      }
      this.warn(`a one-click payment was refused (${answer.status}); the shopper orders at the store instead`);
    }
    this.stats.reportedOrders++;
    await this.reportOrder(s);
  }

  private async reportOrder(s: Shopper) {
    await this.post([
      { type: 'order_completed', checkout_id: s.plan.checkoutId, order_id: `order-${s.plan.checkoutId}`, revenue: cartValue(s.plan), customer: this.customer(s.plan) },
    ]);
  }

  private async post(events: Record<string, unknown>[]) {
    const at = new Date().toISOString();
    const response = await fetch(`${this.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.keys.writeKey}` },
      body: JSON.stringify({ events: events.map((e) => ({ event_id: randomUUID(), occurred_at: at, ...e })) }),
    });
    if (!response.ok) throw new Error(`POST /v1/events answered ${response.status}: ${await response.text()}`);
  }

  private async storefront(path: string, body: unknown) {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.keys.serverKey}` },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  }

  private async get(url: string) {
    const response = await fetch(url);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`GET ${new URL(url).pathname.slice(0, 12)}… answered ${response.status}`);
  }
}

function decodeAttribute(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}
