import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type DemoSummary, type RunningDemo } from '../server/demo/run-demo';
import { launchChromium } from './support/browser';
import { ensureConsoleBuilt, screenshot, signIn, watchPage } from './support/console';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * The console as a person uses it, on the demo's data: `npm run demo`'s own code, shortened (70 s, 30 shoppers),
 * fills a fresh database; then a browser signs in, opens every menu entry, clicks the first row of every list,
 * follows the links between a message and its checkout, and opens each report — and any page error, error
 * boundary or console error fails the test.
 */
describe('console crawl on the demo data', () => {
  let database: TestDatabase;
  let demo: RunningDemo;
  let summary: DemoSummary;
  let browser: Browser;
  let cookie: string;
  const lines: string[] = [];
  const today = new Date().toISOString().slice(0, 10);

  const api = async (path: string) => {
    const response = await fetch(`${demo.url}/admin/api${path}`, { headers: { cookie } });
    expect(response.status, path).toBe(200);
    return { body: (await response.json()) as any, headers: response.headers };
  };

  beforeAll(async () => {
    browser = await launchChromium(); // first, so a missing Chromium fails the suite at once
    await ensureConsoleBuilt();
    database = await createTestDatabase('console_crawl');
    demo = await runDemo({ durationMs: 70_000, shoppers: 30, port: 0, databaseUrl: database.url, seed: 7, out: (line) => lines.push(line) });
    summary = await demo.done;
    const login = await fetch(`${demo.url}/admin/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: demo.login.email, password: demo.login.password }),
    });
    expect(login.status).toBe(200);
    cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await database?.drop();
  });

  it("npm run demo's shortened run populates every report", async () => {
    expect(summary.stats.failures, lines.join('\n')).toBe(0);
    expect(summary.stats.remindersReceived).toBeGreaterThan(10);
    expect(summary.stats.clicked).toBeGreaterThan(0);
    expect(summary.stats.oneClickOrders).toBeGreaterThan(0);
    // What the sinks received is what the engine sent.
    const peers = demo.stack.peers;
    expect(peers.smtp.messages.length).toBeGreaterThan(0);
    expect(peers.stripe.succeededCharges().length).toBe(summary.stats.oneClickOrders);

    const recovery = (await api(`/reports/recovery?from=${today}&to=${today}`)).body;
    expect(recovery.totals.abandoned).toBeGreaterThan(0);
    expect(recovery.totals.sent).toBeGreaterThan(0);
    expect(recovery.totals.clicked).toBeGreaterThan(0);
    expect(recovery.totals.recovered).toBeGreaterThan(0);
    expect(recovery.totals.recoveredRevenue).toBeGreaterThan(0);

    const funnel = (await api(`/reports/funnel?from=${today}&to=${today}`)).body;
    expect(funnel.steps[0].entered).toBe(30);
    expect(funnel.steps.find((s: { step: string }) => s.step === 'completed').converted).toBeGreaterThan(0);

    // The seeded campaign's holdout: settled enrollments in both arms.
    const lift = (await api(`/reports/lift?from=${today}&to=${today}`)).body;
    expect(lift.control.n).toBeGreaterThan(0);
    expect(lift.treatment.n).toBeGreaterThan(0);
    expect(lift.treatment.converted).toBeGreaterThan(0);

    const runs = (await api('/ml/training-runs')).body as Array<{ trigger: string; status: string }>;
    expect(runs).toEqual([expect.objectContaining({ trigger: 'nightly', status: 'succeeded' })]);
    expect(summary.trainingRun?.status).toBe('succeeded');

    // The Messages view: what went out, with its subject and a rendered body.
    const list = await api('/messages?filter={"status":"sent"}&range=[0,9]');
    expect(Number(list.headers.get('content-range')!.split('/')[1])).toBeGreaterThan(0);
    const sent = list.body as Array<{ id: string; channel: string; subject: string | null }>;
    const email = sent.find((m) => m.channel === 'email')!;
    expect(email.subject).toEqual(expect.any(String));
    const shown = (await api(`/messages/${email.id}`)).body;
    expect(shown.preview).toMatchObject({ channel: 'email', subject: email.subject, text: expect.stringContaining('Complete your order') });
    // The preview's links are disabled: looking at it is not the shopper's open or click.
    expect(shown.preview.html).not.toMatch(/\/r\/(open|click)\//);
    const control = (await api('/messages?filter={"arm":"control"}&range=[0,0]')).body;
    expect(control[0]).toMatchObject({ arm: 'control', status: expect.stringMatching(/^(planned|withheld|cancelled)$/), sentAt: null });
  });

  it('names a bad filter of the messages list', async () => {
    const bad = await fetch(`${demo.url}/admin/api/messages?filter=${encodeURIComponent('{"channel":"fax"}')}`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe('filter.channel: must be one of email, sms, push');
    const notUuid = await fetch(`${demo.url}/admin/api/messages?filter=${encodeURIComponent('{"checkoutId":"co-1"}')}`, { headers: { cookie } });
    expect(((await notUuid.json()) as { message: string }).message).toBe('filter.checkoutId: must be a UUID');
    const missing = await fetch(`${demo.url}/admin/api/messages/00000000-0000-4000-8000-000000000000`, { headers: { cookie } });
    expect(missing.status).toBe(404);
    const anonymous = await fetch(`${demo.url}/admin/api/messages`);
    expect(anonymous.status).toBe(401);
  });

  it('signs in without console errors, then opens every menu entry, the first row of every list and each report', { timeout: 240_000 }, async () => {
    const page = await browser.newPage();
    const { errors } = watchPage(page);
    const visited: string[] = [];
    const settle = async () => {
      await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
      await page.waitForTimeout(300);
    };
    const expectHealthy = async (where: string) => {
      await settle();
      visited.push(where);
      expect(await page.locator('body').innerText(), where).not.toContain('Something went wrong');
      expect(errors, where).toEqual([]);
    };
    try {
      // The login page asks nothing of the API before sign-in, so it shows no 401.
      await page.goto(`${demo.url}/admin/`);
      await page.locator('input[name="username"]').waitFor();
      await expectHealthy('login');
      await signIn(page, demo.url, demo.login.email, demo.login.password);
      await expectHealthy('dashboard');

      const entries = await page.locator('.RaMenu-open a[href]').evaluateAll((links) => links.map((a) => ({ href: a.getAttribute('href')!, text: (a.textContent ?? '').trim() })));
      expect(entries.map((e) => e.text)).toEqual(expect.arrayContaining(['Dashboard', 'Checkouts', 'Messages', 'Funnel', 'Recovery', 'Lift', 'Model']));
      for (const entry of entries) {
        await page.locator(`.RaMenu-open a[href="${entry.href}"]`).click();
        await expectHealthy(`menu ${entry.text}`);
        const rows = page.locator('tbody .RaDatagrid-row');
        if ((await rows.count()) === 0) continue;
        const listUrl = page.url();
        // A cell with plain text, as a person clicks a row (not its buttons, links or checkbox).
        const cell = rows.first().locator('td').filter({ hasNot: page.locator('button, a, input') }).first();
        if ((await cell.count()) === 0) throw new Error(`${entry.text}: no plain cell in ${await rows.first().innerHTML()}`);
        await cell.click();
        await expectHealthy(`first row of ${entry.text}`);
        if (page.url() === listUrl) continue; // a list without row pages
        await screenshot(page, `crawl-${entry.text.toLowerCase().replace(/\W+/g, '-')}`);
      }

      // A sent message, its checkout, and back to the message from the checkout's messages.
      await page.locator('.RaMenu-open a[href$="/messages"]').click();
      await settle();
      await page.locator('tbody .RaDatagrid-row', { hasText: 'sent' }).first().locator('td').first().click();
      await page.getByTestId('message-preview').waitFor();
      await expectHealthy('message show');
      await page.locator('a[href*="/checkouts/"]').first().click();
      await page.getByTestId('message-link').first().waitFor();
      await expectHealthy('checkout show (from a message)');
      await page.getByTestId('message-link').first().click();
      await page.getByTestId('message-preview').or(page.getByText('cannot be rendered now')).first().waitFor();
      await expectHealthy('message show (from a checkout)');

      // Each report with the demo's numbers.
      await page.goto(`${demo.url}/admin/reports/lift`);
      await expectHealthy('lift report');
      await page.goto(`${demo.url}/admin/reports/model`);
      await expectHealthy('model report');
      expect(await page.locator('body').innerText()).toMatch(/succeeded/i);
    } finally {
      await page.close();
    }
    expect(visited.length).toBeGreaterThan(15);
  });
});
