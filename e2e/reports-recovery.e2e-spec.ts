import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldAll } from '../server/reports/report-folder';
import { getReport, REPORTS_TOKEN } from './support/reports';
import { startTestApp, TestApp } from './support/test-app';

const NOW = new Date('2026-11-20T12:00:00Z');
const RANGE = 'from=2026-11-18&to=2026-11-19';
// The configured economics: ML_MARGIN_RATE 0.3 and the default message costs (email 0.001, sms 0.0079).
const EMAIL = 0.001;
const SMS = 0.0079;

interface MessageSeed {
  step: number;
  channel: 'email' | 'sms' | 'push';
  status?: string;
  scheduledFor?: string;
  sentAt?: string;
  deliveredAt?: string;
  openedAt?: string;
  clickedAt?: string;
  recoveredRevenue?: number;
  discountRedeemed?: number;
  unsubscribed?: boolean;
}

/**
 * Abandoned checkouts with their enrollments and messages, written as the recovery engine leaves them:
 *  K1 (11-18) emailed, opened, clicked, recovered for 100 with a 10-off code; then an SMS at step 1
 *  K2 (11-18) emailed, delivered, unsubscribed from it
 *  K3 (11-19) email still planned: not contacted
 *  K4 (11-19) abandoned, no campaign took it
 * and for the dashboard K5 (today, recovered today for 80), K6 and K7 (a week ago, before and after this hour).
 */
describe('recovery report and dashboard', () => {
  let t: TestApp;
  let campaignId: string;
  let sourceId: string;
  const messageIds: Record<string, string> = {};

  const checkout = async (name: string, abandonedAt: string, enrolled: boolean, messages: MessageSeed[], recoveredAt?: string) => {
    const id = randomUUID();
    await t.pool.query(
      `INSERT INTO checkouts (id, external_id, source_id, status, stage, stage_reached_at, first_activity_at, last_activity_at, abandoned_at, recovered_at)
       VALUES ($1, $2, $3, $4, 'payment', jsonb_build_object('started', $5::text), $5::timestamptz, $5::timestamptz, $5::timestamptz, $6)`,
      [id, name, sourceId, recoveredAt ? 'recovered' : 'abandoned', abandonedAt, recoveredAt ?? null],
    );
    if (!enrolled) return;
    const enrollment = randomUUID();
    await t.pool.query(`INSERT INTO enrollments (id, checkout_id, campaign_id, abandoned_at) VALUES ($1, $2, $3, $4)`, [enrollment, id, campaignId, abandonedAt]);
    for (const m of messages) {
      const { rows } = await t.pool.query<{ id: string }>(
        `INSERT INTO messages (key, enrollment_id, checkout_id, campaign_id, step_index, channel, status, scheduled_for, sent_at, delivered_at, opened_at, clicked_at, recovered_revenue)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
        [`${enrollment}.${m.step}.${m.channel}`, enrollment, id, campaignId, m.step, m.channel, m.status ?? (m.sentAt ? 'sent' : 'planned'), m.scheduledFor ?? abandonedAt,
          m.sentAt ?? null, m.deliveredAt ?? null, m.openedAt ?? null, m.clickedAt ?? null, m.recoveredRevenue ?? null],
      );
      messageIds[`${name}.${m.step}.${m.channel}`] = rows[0].id;
      if (m.unsubscribed) await t.pool.query(`INSERT INTO message_engagements (message_id, kind, at) VALUES ($1, 'unsubscribed', $2)`, [rows[0].id, m.sentAt]);
      if (m.discountRedeemed !== undefined) {
        const code = await t.pool.query<{ id: string }>(
          `INSERT INTO discount_codes (code, source_id, checkout_id, message_id, type, percent, issued_at, expires_at)
           VALUES ($1, $2, $3, $4, 'percent', 10, $5, $5::timestamptz + interval '2 days') RETURNING id`,
          [randomUUID().slice(0, 12).toUpperCase(), sourceId, id, rows[0].id, m.sentAt],
        );
        // Redeemed later, as the storefront does: an update of the code.
        await t.pool.query(`UPDATE discount_codes SET redeemed_at = $2, redeemed_order_id = 'o-1', redemption = $3 WHERE id = $1`, [
          code.rows[0].id, recoveredAt, JSON.stringify({ orderId: 'o-1', cartValue: 100, discountValue: m.discountRedeemed, redeemedAt: recoveredAt }),
        ]);
      }
    }
  };

  beforeAll(async () => {
    t = await startTestApp('reports_recovery', { ADMIN_API_TOKEN: REPORTS_TOKEN, SWEEP_INTERVAL_S: '3600' }, { clock: { now: () => NOW } });
    sourceId = (await t.createSource()).id;
    campaignId = (
      await t.pool.query<{ id: string }>(`INSERT INTO campaigns (name, priority, steps) VALUES ('Winback', 1, $1) RETURNING id`, [
        JSON.stringify([{ delayMinutes: 60, channels: ['email'], templates: { email: 'reminder-email' } }, { delayMinutes: 1440, channels: ['sms'], templates: { sms: 'offer-sms' } }]),
      ])
    ).rows[0].id;
    await checkout('K1', '2026-11-18T08:00:00Z', true, [
      { step: 0, channel: 'email', sentAt: '2026-11-18T09:00:00Z', openedAt: '2026-11-18T10:00:00Z', clickedAt: '2026-11-18T10:01:00Z', recoveredRevenue: 100, discountRedeemed: 10 },
      { step: 1, channel: 'sms', sentAt: '2026-11-19T09:00:00Z' },
    ], '2026-11-18T20:00:00Z');
    await checkout('K2', '2026-11-18T09:00:00Z', true, [{ step: 0, channel: 'email', sentAt: '2026-11-18T10:00:00Z', deliveredAt: '2026-11-18T10:00:05Z', unsubscribed: true }]);
    await checkout('K3', '2026-11-19T10:00:00Z', true, [{ step: 0, channel: 'email', scheduledFor: '2026-11-22T10:00:00Z' }]);
    await checkout('K4', '2026-11-19T11:00:00Z', false, []);
    await checkout('K5', '2026-11-20T09:00:00Z', true, [
      { step: 0, channel: 'email', sentAt: '2026-11-20T10:00:00Z', clickedAt: '2026-11-20T10:30:00Z', recoveredRevenue: 80 },
      { step: 1, channel: 'sms', status: 'planned', scheduledFor: '2026-11-21T06:00:00Z' },
      { step: 2, channel: 'push', status: 'planned', scheduledFor: '2026-11-20T18:00:00Z' },
    ], '2026-11-20T11:00:00Z');
    await checkout('K6', '2026-11-13T08:00:00Z', false, []);
    await checkout('K7', '2026-11-13T13:00:00Z', false, []);
  });
  afterAll(async () => t?.close());

  it('sums abandoned, contacted and recovered checkouts, revenue, discounts, costs and engagement', async () => {
    const { status, body } = await getReport(t, `recovery?${RANGE}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ report: 'recovery', interval: 'day', by: null, marginRate: 0.3, groups: [], pendingCheckouts: 0 });
    const messageCost = 2 * EMAIL + SMS;
    expect(body.totals).toEqual({
      abandoned: 4, contacted: 2, recovered: 1, recoveryRate: 0.25, recoveredRevenue: 100, discountCost: 10,
      messageCost: Number(messageCost.toFixed(4)), netMargin: Number((100 * 0.3 - 10 - messageCost).toFixed(4)),
      sent: 3, delivered: 1, opened: 1, clicked: 1, unsubscribed: 1, openRate: 0.3333, clickRate: 0.3333,
    });
    expect(body.series.map((p: { period: string; abandoned: number; contacted: number; recovered: number; sent: number }) => [p.period, p.abandoned, p.contacted, p.recovered, p.sent])).toEqual([
      ['2026-11-18', 2, 2, 1, 3],
      ['2026-11-19', 2, 0, 0, 0],
    ]);
  });

  it('groups by campaign, step and channel, and by week', async () => {
    const byCampaign = (await getReport(t, `recovery?${RANGE}&by=campaign`)).body;
    expect(byCampaign.groups.map((g: { key: string; label: string; totals: { abandoned: number; recovered: number } }) => [g.key, g.label, g.totals.abandoned, g.totals.recovered])).toEqual([
      [campaignId, 'Winback', 3, 1],
      ['none', 'No campaign', 1, 0],
    ]);
    const byChannel = (await getReport(t, `recovery?${RANGE}&by=channel`)).body;
    const channels = Object.fromEntries(byChannel.groups.map((g: { key: string; totals: Record<string, unknown> }) => [g.key, g.totals]));
    expect(channels.email).toMatchObject({ abandoned: null, contacted: 2, sent: 2, recovered: 1, recoveryRate: 0.5, recoveredRevenue: 100, discountCost: 10, unsubscribed: 1 });
    expect(channels.sms).toMatchObject({ contacted: 1, sent: 1, recovered: 0, recoveryRate: 0, messageCost: SMS });
    expect(byChannel.totals.abandoned).toBe(4);
    const byStep = (await getReport(t, `recovery?${RANGE}&by=step`)).body;
    expect(byStep.groups.map((g: { key: string; label: string; totals: { sent: number; recovered: number } }) => [g.key, g.label, g.totals.sent, g.totals.recovered])).toEqual([
      ['0', 'Step 1', 2, 1],
      ['1', 'Step 2', 1, 0],
    ]);
    const weekly = (await getReport(t, `recovery?from=2026-11-10&to=2026-11-19&interval=week`)).body;
    expect(weekly.series.map((p: { period: string; abandoned: number }) => [p.period, p.abandoned])).toEqual([
      ['2026-11-09', 2],
      ['2026-11-16', 4],
    ]);
  });

  it('follows later changes incrementally: an open, a message moving on, a checkout merged away', async () => {
    await t.pool.query(`UPDATE messages SET opened_at = '2026-11-19T08:00:00Z' WHERE id = $1`, [messageIds['K2.0.email']]);
    await t.pool.query(`UPDATE messages SET status = 'sent', sent_at = '2026-11-19T12:00:00Z' WHERE id = $1`, [messageIds['K3.0.email']]);
    await t.pool.query(`DELETE FROM checkouts WHERE external_id = 'K4'`);
    const { body } = await getReport(t, `recovery?${RANGE}`);
    expect(body.totals).toMatchObject({ abandoned: 3, contacted: 3, opened: 2, sent: 4 });
    expect(body.series[1]).toMatchObject({ period: '2026-11-19', abandoned: 1, contacted: 1, sent: 1 });
  });

  it('exports the recovery series as CSV', async () => {
    const csv = await getReport(t, `recovery?${RANGE}&by=channel&format=csv`);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="recovery-2026-11-18-2026-11-19.csv"');
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('period,group,abandoned,contacted,recovered,recoveryRate,recoveredRevenue,discountCost,messageCost,netMargin,sent,delivered,opened,clicked,unsubscribed,openRate,clickRate');
    expect(lines).toContain('2026-11-18,sms,,1,0,0,0,0,0.0079,-0.0079,1,0,0,0,0,0,0');
    expect(lines).toContain('2026-11-19,sms,,0,0,,0,0,0,0,0,0,0,0,0,,');
    expect(lines).toHaveLength(1 + 2 * 3);
  });

  it('shows today against the same time last week, and the messages due within 24 hours', async () => {
    const { status, body } = await getReport(t, 'dashboard');
    expect(status).toBe(200);
    expect(body.today).toEqual({ from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T12:00:00.000Z', abandoned: 1, recovered: 1, recoveryRate: 1, recoveredRevenue: 80 });
    expect(body.sameTimeLastWeek).toMatchObject({ from: '2026-11-13T00:00:00.000Z', abandoned: 1, recovered: 0, recoveryRate: 0, recoveredRevenue: 0 });
    expect(body.change).toEqual({ abandoned: 0, recoveryRate: 1, recoveredRevenue: null });
    expect(body.scheduledNext24h).toEqual({ total: 2, byChannel: { email: 0, push: 1, sms: 1 } });
    const csv = await getReport(t, 'dashboard?format=csv');
    expect((csv.body as string).split('\r\n')).toContain('recoveredRevenue,80,0,');
  });

  it('keeps the rollups equal to a recomputation from the raw rows', async () => {
    await foldAll(t.pool);
    const rollup = await t.pool.query(`SELECT day, campaign_id, abandoned, contacted, recovered, recovered_revenue FROM report_recovery_daily WHERE abandoned <> 0 ORDER BY 1, 2`);
    const raw = await t.pool.query(
      `SELECT (coalesce(k.abandoned_at, e.abandoned_at) AT TIME ZONE 'UTC')::date AS day, coalesce(e.campaign_id, '00000000-0000-0000-0000-000000000000') AS campaign_id,
              count(*)::int AS abandoned, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM messages m WHERE m.checkout_id = k.id AND m.sent_at IS NOT NULL))::int AS contacted,
              count(k.recovered_at)::int AS recovered, coalesce(sum((SELECT sum(recovered_revenue) FROM messages m WHERE m.checkout_id = k.id)), 0)::numeric(18,4) AS recovered_revenue
         FROM checkouts k LEFT JOIN enrollments e ON e.checkout_id = k.id WHERE coalesce(k.abandoned_at, e.abandoned_at) IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(rollup.rows).toEqual(raw.rows);
  });
});
