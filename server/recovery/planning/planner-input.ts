import type { PoolClient } from 'pg';
import type { ChannelKind, CheckoutStage, ConsentState, PlannerInput, SentMessage } from '../../../campaigns/types';
import type { CampaignRow } from '../../../models/campaigns';
import { campaigns } from '../../../models/campaigns';
import { TableRows } from '../../database/table-rows';
import { campaignOf } from './campaign-mapping';

const campaignRows = new TableRows(campaigns);

/** How far back a customer's recovery history matters to the planner (the longest cap window we allow). */
const HISTORY_DAYS = 30;

interface EnrollmentContext {
  enrollment_id: string;
  campaign_id: string;
  checkout_id: string;
  customer_id: string | null;
  abandoned_at: Date;
  checkout_status: PlannerInput['checkout']['status'];
  stage: CheckoutStage;
  cart_value: string | null;
  checkout_email: string | null;
  checkout_phone: string | null;
  customer_email: string | null;
  customer_phone: string | null;
  timezone: string | null;
  consent: Record<string, { granted: boolean }> | null;
  orders_count: number | null;
  require_email_opt_in: boolean;
  push_subscriptions: number;
}

/** Reads everything the planner needs about one enrollment, in the caller's transaction. */
export async function loadPlannerInput(client: PoolClient, enrollmentId: string, now: Date, timeScale: number): Promise<PlannerInput | null> {
  const { rows } = await client.query<EnrollmentContext>({
    name: 'planner_enrollment_context',
    text: `SELECT e.id AS enrollment_id, e.campaign_id, e.checkout_id, e.customer_id, e.abandoned_at,
                  c.status AS checkout_status, c.stage, c.cart_value, c.email AS checkout_email, c.phone AS checkout_phone,
                  cu.email AS customer_email, cu.phone AS customer_phone, cu.timezone, cu.consent, cu.orders_count,
                  s.require_email_opt_in,
                  (SELECT count(*)::int FROM push_subscriptions p WHERE p.customer_id = e.customer_id AND p.revoked_at IS NULL) AS push_subscriptions
             FROM enrollments e
             JOIN checkouts c ON c.id = e.checkout_id
             JOIN sources s ON s.id = c.source_id
             LEFT JOIN customers cu ON cu.id = e.customer_id
            WHERE e.id = $1`,
    values: [enrollmentId],
  });
  const row = rows[0];
  if (!row) return null;
  const [campaign] = await campaignRows.byIds(client, [row.campaign_id]);
  const history = row.customer_id ? await customerHistory(client, row.customer_id, enrollmentId, now) : [];
  const enrollment = await enrollmentMessages(client, enrollmentId);
  return {
    now,
    campaign: campaignOf(campaign as CampaignRow),
    checkout: {
      id: row.checkout_id,
      cartValue: Number(row.cart_value ?? 0),
      stage: row.stage,
      status: row.checkout_status,
      abandonedAt: row.abandoned_at,
      // The checkout's own order, if any, is not yet counted when the reminder is planned.
      isNewCustomer: (row.orders_count ?? 0) === 0,
    },
    recipient: {
      timezone: row.timezone,
      email: row.checkout_email ?? row.customer_email,
      phone: row.checkout_phone ?? row.customer_phone,
      pushSubscriptions: row.push_subscriptions,
      consent: consentOf(row.consent),
      requireEmailOptIn: row.require_email_opt_in,
      lastEngagedChannel: lastEngaged(history),
    },
    history,
    enrollment,
    timeScale,
  };
}

function consentOf(stored: EnrollmentContext['consent']): ConsentState {
  const consent: ConsentState = {};
  for (const channel of ['email', 'sms', 'push'] as const) {
    const statement = stored?.[channel];
    if (statement) consent[channel] = statement.granted;
  }
  return consent;
}

function lastEngaged(history: SentMessage[]): ChannelKind | null {
  const engaged = history.filter((m) => m.opened || m.clicked).sort((a, b) => b.at.getTime() - a.at.getTime());
  return engaged[0]?.channel ?? null;
}

interface MessageFacts {
  channel: ChannelKind;
  at: Date;
  campaign_id: string;
  checkout_id: string;
  step_index: number;
  status: string;
  delivered: boolean;
  opened: boolean;
  clicked: boolean;
}

/**
 * The customer's recovery messages, sent or still planned, from every campaign: what caps count. This
 * enrollment's own planned messages are left out: they are what is being planned.
 */
async function customerHistory(client: PoolClient, customerId: string, enrollmentId: string, now: Date): Promise<SentMessage[]> {
  const { rows } = await client.query<MessageFacts>({
    name: 'planner_customer_history',
    text: `SELECT channel, coalesce(sent_at, scheduled_for) AS at, campaign_id, checkout_id, step_index, status,
                  delivered_at IS NOT NULL AS delivered, opened_at IS NOT NULL AS opened, clicked_at IS NOT NULL AS clicked
             FROM messages
            WHERE customer_id = $1 AND status IN ('planned', 'sending', 'sent', 'delivered', 'unknown')
              AND NOT (enrollment_id = $4 AND status = 'planned')
              AND coalesce(sent_at, scheduled_for) > $2::timestamptz - make_interval(days => $3)`,
    values: [customerId, now, HISTORY_DAYS, enrollmentId],
  });
  return rows.map((r) => ({
    channel: r.channel,
    at: r.at,
    campaignId: r.campaign_id,
    checkoutId: r.checkout_id,
    stepIndex: r.step_index,
    delivered: r.delivered,
    opened: r.opened,
    clicked: r.clicked,
  }));
}

async function enrollmentMessages(client: PoolClient, enrollmentId: string): Promise<PlannerInput['enrollment']> {
  const { rows } = await client.query<MessageFacts & { failed: boolean }>({
    name: 'planner_enrollment_messages',
    text: `SELECT channel, coalesce(sent_at, scheduled_for) AS at, step_index, status,
                  delivered_at IS NOT NULL AS delivered, clicked_at IS NOT NULL AS clicked, opened_at IS NOT NULL AS opened,
                  status = 'failed' AS failed
             FROM messages WHERE enrollment_id = $1 AND status NOT IN ('cancelled', 'planned')
            ORDER BY step_index, created_at`,
    values: [enrollmentId],
  });
  return rows.map((r) => ({ stepIndex: r.step_index, channel: r.channel, at: r.at, delivered: r.delivered, opened: r.opened, clicked: r.clicked, failed: r.failed }));
}
