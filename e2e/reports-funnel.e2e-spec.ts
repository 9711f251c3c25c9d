import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminUsers } from '../server/admin/auth/admin-users.service';
import { apiEvent, bearer } from './support/events';
import { getReport, REPORTS_TOKEN, stepCounts } from './support/reports';
import { postJson, startTestApp, TestApp } from './support/test-app';

const NOW = new Date('2026-11-20T12:00:00Z');
const MOBILE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148';
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120';
const RANGE = 'from=2026-11-18&to=2026-11-20';

type Step = 'checkout_started' | 'contact_entered' | 'shipping_entered' | 'payment_entered' | 'order_completed';

/**
 * The hand-built cohort (now is 2026-11-20 12:00 UTC; default windows 1 day):
 *  A desktop  started → contact → shipping → payment → completed, minutes apart
 *  B mobile   started → contact → shipping (1 h), never paid: lost at payment
 *  C mobile   started → shipping → payment → completed, no contact: lost at contact unless contact is optional
 *  D desktop  started 11:00 today → contact: in progress at shipping
 *  E desktop  started, nothing else: lost at contact (another source)
 *  F mobile   started → contact → shipping 26 h later: lost at shipping with 1d, converted with shipping:3d
 *  G unknown  a returning customer (ordered on 11-10): started → contact, lost at shipping
 *  H          started 11-15, outside the range
 */
describe('funnel report', () => {
  let t: TestApp;
  let main: { id: string; writeKey: string };
  let other: { id: string; writeKey: string };

  const journey = async (key: string, checkout: string, steps: Array<[Step, string]>, extra: Record<string, unknown> = {}) => {
    const events = steps.map(([type, at]) =>
      apiEvent({ type, occurred_at: at, checkout_id: checkout, ...(type === 'order_completed' ? { order_id: `o-${checkout}`, revenue: 50 } : {}), ...extra }),
    );
    const response = await postJson(`${t.url}/v1/events`, { events }, bearer(key));
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    t = await startTestApp('reports_funnel', { ADMIN_API_TOKEN: REPORTS_TOKEN, SWEEP_INTERVAL_S: '3600' }, { clock: { now: () => NOW } });
    main = await t.createSource({ name: 'Main store' });
    other = await t.createSource({ name: 'Outlet' });
    const d = (s: string) => `2026-11-${s}Z`;
    const ua = (user_agent: string) => ({ context: { user_agent }, customer: { anonymous_id: `anon-${user_agent.length}-${Math.random()}` } });
    await journey(main.writeKey, 'A', [['checkout_started', d('18T10:00:00')], ['contact_entered', d('18T10:02:00')], ['shipping_entered', d('18T10:05:00')], ['payment_entered', d('18T10:10:00')], ['order_completed', d('18T10:15:00')]], ua(DESKTOP));
    await journey(main.writeKey, 'B', [['checkout_started', d('18T10:00:00')], ['contact_entered', d('18T10:03:00')], ['shipping_entered', d('18T11:03:00')]], ua(MOBILE));
    await journey(main.writeKey, 'C', [['checkout_started', d('18T11:00:00')], ['shipping_entered', d('18T11:10:00')], ['payment_entered', d('18T11:20:00')], ['order_completed', d('18T11:40:00')]], ua(MOBILE));
    await journey(main.writeKey, 'D', [['checkout_started', d('20T11:00:00')], ['contact_entered', d('20T11:05:00')]], ua(DESKTOP));
    await journey(other.writeKey, 'E', [['checkout_started', d('18T09:00:00')]], ua(DESKTOP));
    await journey(main.writeKey, 'F', [['checkout_started', d('19T08:00:00')], ['contact_entered', d('19T08:10:00')], ['shipping_entered', d('20T10:00:00')]], ua(MOBILE));
    await journey(main.writeKey, 'G-old', [['checkout_started', d('10T10:00:00')], ['order_completed', d('10T10:30:00')]], { customer: { id: 'u-g' } });
    await journey(main.writeKey, 'G', [['checkout_started', d('19T10:00:00')], ['contact_entered', d('19T10:01:00')]], { customer: { id: 'u-g' } });
    await journey(main.writeKey, 'H', [['checkout_started', d('15T10:00:00')], ['contact_entered', d('15T10:01:00')]], ua(MOBILE));
  });
  afterAll(async () => t?.close());

  it('counts conversion, in-progress and lost checkouts per step with the default one-day windows', async () => {
    const { status, body } = await getReport(t, `funnel?${RANGE}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ report: 'funnel', from: '2026-11-18', to: '2026-11-20', breakdown: null, optional: [], pendingCheckouts: 0, groups: [] });
    expect(stepCounts(body.steps)).toEqual({
      started: [7, 7, 0, 0],
      contact: [7, 5, 0, 2], // C (no contact) and E
      shipping: [5, 2, 1, 2], // D still inside its window; F late, G gave up
      payment: [2, 1, 0, 1], // B
      completed: [1, 1, 0, 0],
    });
    expect(body.steps[1]).toMatchObject({ conversionRate: 0.7143, dropOffRate: 0.2857, overallRate: 0.7143, window: '1d', optional: false });
    expect(body.steps[4].overallRate).toBe(0.1429);
  });

  it('lets optional steps be skipped and times the next step from the one before', async () => {
    // C skipped contact (it went on to shipping); E did not skip it, it stopped there.
    const { body } = await getReport(t, `funnel?${RANGE}&optional=contact`);
    expect(stepCounts(body.steps)).toEqual({ started: [7, 7, 0, 0], contact: [7, 6, 0, 1], shipping: [6, 3, 1, 2], payment: [3, 2, 0, 1], completed: [2, 2, 0, 0] });
    expect(body.steps[1]).toMatchObject({ skipped: 1, optional: true });
  });

  it('applies a conversion window per step, and one still open is in progress rather than lost', async () => {
    // Three days for shipping: F converts (26 h) and is now inside its payment window; G is back inside its shipping window.
    const { body } = await getReport(t, `funnel?${RANGE}&window=shipping:3d`);
    expect(stepCounts(body.steps)).toEqual({ started: [7, 7, 0, 0], contact: [7, 5, 0, 2], shipping: [5, 3, 2, 0], payment: [3, 1, 1, 1], completed: [1, 1, 0, 0] });
    const tight = await getReport(t, `funnel?${RANGE}&window=5m`);
    // Five minutes per step: F's ten minutes to contact and B's hour to shipping are too slow; D's window closed at 11:10.
    expect(stepCounts(tight.body.steps)).toEqual({ started: [7, 7, 0, 0], contact: [7, 4, 0, 3], shipping: [4, 1, 0, 3], payment: [1, 1, 0, 0], completed: [1, 1, 0, 0] });
  });

  it('breaks down by device, source and new or returning customers', async () => {
    const device = (await getReport(t, `funnel?${RANGE}&breakdown=device`)).body;
    const byDevice = Object.fromEntries(device.groups.map((g: { key: string; steps: never[] }) => [g.key, stepCounts(g.steps)]));
    expect(byDevice.mobile).toMatchObject({ started: [3, 3, 0, 0], contact: [3, 2, 0, 1], shipping: [2, 1, 0, 1] });
    expect(byDevice.desktop).toMatchObject({ started: [3, 3, 0, 0], contact: [3, 2, 0, 1], shipping: [2, 1, 1, 0] });
    expect(byDevice.unknown).toMatchObject({ started: [1, 1, 0, 0], contact: [1, 1, 0, 0], shipping: [1, 0, 0, 1] });
    expect(stepCounts(device.steps)).toEqual(stepCounts((await getReport(t, `funnel?${RANGE}`)).body.steps));

    const source = (await getReport(t, `funnel?${RANGE}&breakdown=source`)).body;
    expect(source.groups.map((g: { key: string; label: string; steps: Array<{ entered: number }> }) => [g.key, g.label, g.steps[0].entered])).toEqual([
      [main.id, 'Main store', 6],
      [other.id, 'Outlet', 1],
    ]);
    const type = (await getReport(t, `funnel?${RANGE}&breakdown=customerType`)).body;
    expect(type.groups.map((g: { key: string; steps: Array<{ entered: number }> }) => [g.key, g.steps[0].entered])).toEqual([
      ['new', 6],
      ['returning', 1],
    ]);
  });

  it('lists the checkouts behind a drop-off bar, as a react-admin list', async () => {
    const lost = await getReport(t, `funnel/dropoffs?${RANGE}&stage=shipping&sort=${encodeURIComponent('["startedAt","ASC"]')}`);
    expect(lost.status).toBe(200);
    expect(lost.body.map((r: { externalId: string }) => r.externalId)).toEqual(['F', 'G']);
    expect(lost.headers.get('content-range')).toBe('reports/funnel/dropoffs 0-1/2');
    expect(lost.body[0]).toMatchObject({ device: 'mobile', customerType: 'new', stage: 'shipping', lastStepAt: '2026-11-19T08:10:00.000Z', stageReachedAt: { started: '2026-11-19T08:00:00.000Z' } });
    const waiting = await getReport(t, `funnel/dropoffs?stage=shipping&filter=${encodeURIComponent(JSON.stringify({ from: '2026-11-18', to: '2026-11-20', outcome: 'inProgress' }))}`);
    expect(waiting.body.map((r: { externalId: string }) => r.externalId)).toEqual(['D']);
    const page = await getReport(t, `funnel/dropoffs?${RANGE}&stage=contact&range=${encodeURIComponent('[1,1]')}&sort=${encodeURIComponent('["startedAt","ASC"]')}`);
    expect(page.body.map((r: { externalId: string }) => r.externalId)).toEqual(['C']);
    expect(page.headers.get('content-range')).toBe('reports/funnel/dropoffs 1-1/2');
    const mobileOnly = await getReport(t, `funnel/dropoffs?${RANGE}&stage=contact&device=mobile`);
    expect(mobileOnly.body.map((r: { externalId: string }) => r.externalId)).toEqual(['C']);
  });

  it('exports each table as CSV with a download name', async () => {
    const csv = await getReport(t, `funnel?${RANGE}&breakdown=device&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="funnel-2026-11-18-2026-11-20.csv"');
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('group,step,optional,window,entered,converted,skipped,inProgress,lost,conversionRate,dropOffRate,overallRate');
    expect(lines).toContain('all,shipping,false,1d,5,2,0,1,2,0.4,0.4,0.2857');
    expect(lines).toHaveLength(1 + 5 * 4);
    const drops = await getReport(t, `funnel/dropoffs?${RANGE}&stage=shipping&format=csv`);
    expect(drops.headers.get('content-disposition')).toBe('attachment; filename="funnel-dropoffs-shipping-2026-11-18-2026-11-20.csv"');
    expect((drops.body as string).split('\r\n')[0]).toMatch(/^id,externalId,/);
    expect((drops.body as string).trim().split('\r\n')).toHaveLength(3);
  });

  it('refuses bad parameters, naming them', async () => {
    const cases: Array<[string, string]> = [
      ['funnel?from=2026-13-01', 'from'],
      ['funnel?from=2026-11-20&to=2026-11-01', 'to'],
      ['funnel?breakdown=colour', 'breakdown'],
      ['funnel?window=2h', 'window'],
      ['funnel?window=contact:2h', 'window.contact'],
      ['funnel?optional=completed', 'optional'],
      ['funnel?colour=red', 'colour'],
      ['funnel?format=xml', 'format'],
      ['funnel/dropoffs', 'stage'],
      ['funnel/dropoffs?stage=shipping&sourceId=nope', 'sourceId'],
      ['funnel/dropoffs?stage=shipping&range=[5,1]', 'range'],
      ['recovery?interval=month', 'interval'],
      ['recovery?by=colour', 'by'],
      ['dashboard?from=2026-11-01', 'from'],
    ];
    for (const [path, param] of cases) {
      const { status, body } = await getReport(t, path);
      expect([path, status]).toEqual([path, 400]);
      expect(body.problems.map((p: { path: string }) => p.path)).toContain(param);
    }
  });

  it('needs a signed-in console user, and any role may read', async () => {
    expect((await getReport(t, 'funnel', {})).status).toBe(401);
    expect((await getReport(t, 'recovery', { authorization: 'Bearer not-the-token' })).status).toBe(401);
    await t.app.get(AdminUsers).create({ email: 'analyst@shop.example', password: 'correct horse battery', role: 'analyst' });
    const login = await postJson(`${t.url}/admin/api/auth/login`, { email: 'analyst@shop.example', password: 'correct horse battery' });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    for (const path of ['funnel', 'funnel/dropoffs?stage=contact', 'recovery', 'dashboard']) expect((await getReport(t, path, { cookie })).status).toBe(200);
  });
});
