import { INestApplicationContext } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseWorld } from '../../ml/simulator/world';
import { campaigns, discountRules } from '../../models';
import { DATABASE, Database } from '../database/database';
import { projectRoot } from '../database/project-root';
import { demoTraffic } from '../demo/demo-traffic';
import { SourcesService } from '../sources/sources.service';
import { CliUsageError, Output } from './cli-support';

const optionsSchema = z.object({
  url: z.url({ protocol: /^https?$/, message: 'must be the http(s) address of a running server' }),
  days: z.coerce.number().int().min(1).max(90),
  checkouts: z.coerce.number().int().min(10).max(200_000),
});

const BATCH = 500;

/** A second campaign beside the seeded default, so the console shows priorities, eligibility and learned timing. */
const HIGH_VALUE_CAMPAIGN = {
  name: 'High-value carts (demo)',
  status: 'active' as const,
  priority: 50,
  eligibility: { minCartValue: 150 },
  steps: [
    { delayMinutes: 60, sendTimeArms: [15, 60, 240], channels: ['email' as const], templates: { email: 'reminder-email' } },
    { delayMinutes: 24 * 60, channels: ['sms' as const, 'email' as const], templates: { sms: 'reminder-sms', email: 'reminder-email' }, waterfall: { until: 'delivered' as const, afterMinutes: 120 } },
    { delayMinutes: 48 * 60, channels: ['last_engaged' as const, 'email' as const], templates: { email: 'offer-email', sms: 'offer-sms', push: 'offer-push' }, discountRuleId: 'default-high-value-cart' },
  ],
};

const RETURNING_RULE = {
  id: 'demo-returning-free-shipping',
  name: 'Returning customers, second step: free shipping (demo)',
  priority: 5,
  enabled: true,
  conditions: { customerType: 'returning' as const, steps: [1] },
  offer: { type: 'free_shipping' as const, amount: 0, maxDiscountValue: 15, expiryHours: 48 },
};

/**
 * `demo [--url URL] [--days 21] [--checkouts 3000]`: a demo store — a source, a second campaign, a discount
 * rule — and weeks of simulated storefront traffic posted through the running server's ingestion API, so
 * the console's funnel, dashboard and checkout pages have something to show.
 */
export async function runDemo(app: INestApplicationContext, values: Record<string, unknown>, defaultUrl: string, out: Output): Promise<void> {
  const parsed = optionsSchema.safeParse({ url: values.url ?? defaultUrl, days: values.days ?? 21, checkouts: values.checkouts ?? 3000 });
  if (!parsed.success) throw new CliUsageError(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n'));
  const { url, days, checkouts } = parsed.data;
  const health = await fetch(new URL('/health', url)).catch(() => null);
  if (!health) throw new CliUsageError(`--url: nothing answers at ${url}; start the server first (npm start)`);

  const source = await app.get(SourcesService).create({ name: `Demo store ${new Date().toISOString().slice(0, 10)}`, allowedOrigins: ['https://demo.shop.example'], requireEmailOptIn: false });
  out(`Source "${source.name}" (id ${source.id}), write key: ${source.writeKey}`);
  const db = app.get<Database>(DATABASE);
  if ((await db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.name, HIGH_VALUE_CAMPAIGN.name))).length === 0) {
    await db.insert(campaigns).values(HIGH_VALUE_CAMPAIGN);
    out(`Campaign "${HIGH_VALUE_CAMPAIGN.name}" added.`);
  }
  await db.insert(discountRules).values(RETURNING_RULE).onConflictDoNothing();

  const world = parseWorld(JSON.parse(readFileSync(join(projectRoot(), 'ml', 'worlds', 'default.json'), 'utf8')));
  const events = demoTraffic({ world, now: new Date(), days, checkouts, seed: Date.now() % 100_000 });
  out(`Posting ${events.length} events of ${checkouts} checkouts over ${days} days to ${url}/v1/events …`);
  let accepted = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    const response = await fetch(new URL('/v1/events', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${source.writeKey}` },
      body: JSON.stringify({ events: events.slice(i, i + BATCH) }),
    });
    const body = (await response.json().catch(() => ({}))) as { accepted?: number; message?: string };
    if (!response.ok) throw new Error(`the server refused a batch (${response.status}): ${body.message ?? 'no message'}`);
    accepted += body.accepted ?? 0;
  }
  out(`Accepted ${accepted} events. The sweep marks the idle checkouts abandoned within SWEEP_INTERVAL_S; those of the last`);
  out('7 days enter the campaigns (reminders go only to @example.com addresses and fictional numbers).');
  out(`Open ${url}/admin (create a user first: npm run cli -- admin:create --email you@shop.example --password '…' --role admin).`);
}
