import type { PoolClient } from 'pg';
import type { ChannelKind, CheckoutStage, ConsentState, EnrollmentMessage, PlannerInput, SentMessage } from '../../../campaigns/types';
import type { CampaignRow } from '../../../models/campaigns';
import { campaigns } from '../../../models/campaigns';
import { TableRows } from '../../database/table-rows';
import { compareForSlot } from '../../../campaigns/slot-conflict';
import { campaignOf } from './campaign-mapping';
import type { OfferType } from '../../../campaigns/discount-rules';
import type { Arm } from '../../../campaigns/experiments/holdout';
import type { StoredPolicyDecision, StoredSendTimeDecision, StoredVariantDecision } from './step-policy';

const campaignColumns = new TableRows(campaigns).columnsOf('ca');

/** How far back a customer's recovery history matters to the planner (the longest cap window we allow). */
const HISTORY_DAYS = 30;

interface MessageFacts {
  enrollment_id: string;
  status: string;
  cart_value: string | null;
  channel: ChannelKind;
  at: string;
  campaign_id: string;
  checkout_id: string;
  step_index: number;
  delivered: boolean;
  opened: boolean;
  clicked: boolean;
  failed: boolean;
  discount_pct: number | null;
  variant: StoredVariantDecision | null;
}

interface EnrollmentContext {
  campaign: CampaignRow;
  checkout_id: string;
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
  /**
   * The customer's recovery messages, sent or still planned, from every campaign: what caps count.
   * This enrollment's own planned messages are left out: they are what is being planned.
   */
  history: MessageFacts[];
  /** This enrollment's messages that went out or failed, in step order. */
  enrollment: MessageFacts[];
  device: string | null;
  cart_items: number;
  lifetime_value: string | null;
  previous_offers: { type: OfferType; percent: string | null }[];
  /** This enrollment's still-planned messages and the policy's choice for each. */
  planned: { step_index: number; channel: ChannelKind; policy: StoredPolicyDecision | null; send_time: StoredSendTimeDecision | null; variant: StoredVariantDecision | null }[];
  arm: Arm;
  /** The store's experiment secret: what variant draws are keyed with. */
  experiment_secret: string | null;
}

const MESSAGE_FACTS = `json_build_object('enrollment_id', m.enrollment_id, 'status', m.status,
  'cart_value', (SELECT oc.cart_value FROM checkouts oc WHERE oc.id = m.checkout_id), 'channel', m.channel, 'at', coalesce(m.sent_at, m.withheld_at, m.scheduled_for), 'campaign_id', m.campaign_id,
  'checkout_id', m.checkout_id, 'step_index', m.step_index, 'delivered', m.delivered_at IS NOT NULL, 'opened', m.opened_at IS NOT NULL,
  'clicked', m.clicked_at IS NOT NULL, 'failed', m.status = 'failed', 'discount_pct', m.decision -> 'policy' -> 'action' -> 'discountPct',
  'variant', m.decision -> 'variant')`;

/** What the decision policy needs beyond the planner's input. */
export interface DecisionFacts {
  device: string | null;
  cartItems: number;
  ordersCount: number;
  lifetimeValue: number;
  /** Discounts this customer (or this checkout) was already offered. */
  previousOffers: { type: OfferType; percent: number }[];
  /** This enrollment's messages so far, with the discount each offered. */
  sequence: { channel: ChannelKind; discountPct: number }[];
  /** The same messages' steps and offers (a waterfall's next channel carries its step's offer). */
  stepOffers: { stepIndex: number; discountPct: number }[];
  /** The choice already made for a planned step: kept when the step is planned again, so it never flips. */
  planned: { stepIndex: number; channel: ChannelKind; policy: StoredPolicyDecision | null; sendTime: StoredSendTimeDecision | null }[];
  /** The A/B/n variant each step of this enrollment was given (planned or sent): kept for every later plan of the step. */
  variants: ({ stepIndex: number } & StoredVariantDecision)[];
}

export interface LoadedPlannerInput {
  input: PlannerInput;
  facts: DecisionFacts;
  /** The enrollment's holdout group and the secret its variant draws are keyed with. */
  experiment: { arm: Arm; secret: string };
  /** Other enrollments of the customer with planned messages this one outranks: to plan again, after it. */
  displaced: string[];
}

/** Reads everything the planner needs about one enrollment, in one round trip, in the caller's transaction. */
/**
 * `disabledChannels`: the channels this deployment cannot send on (configuration missing, see
 * channels/channel-status.ts); the planner's fallback passes over them as over a channel the shopper cannot be reached on.
 */
export async function loadPlannerInput(client: PoolClient, enrollmentId: string, now: Date, timeScale: number, disabledChannels: readonly ChannelKind[] = []): Promise<LoadedPlannerInput | null> {
  const { rows } = await client.query<EnrollmentContext>({
    name: 'planner_input',
    text: `SELECT (SELECT row_to_json(x) FROM (SELECT ${campaignColumns} FROM campaigns ca WHERE ca.id = e.campaign_id) x) AS campaign,
                  e.checkout_id, e.abandoned_at,
                  c.status AS checkout_status, c.stage, c.cart_value, c.email AS checkout_email, c.phone AS checkout_phone,
                  cu.email AS customer_email, cu.phone AS customer_phone, cu.timezone, cu.consent, cu.orders_count,
                  s.require_email_opt_in, c.device, coalesce(jsonb_array_length(c.cart -> 'items'), 0) AS cart_items, cu.lifetime_value,
                  coalesce((SELECT json_agg(json_build_object('type', d.type, 'percent', d.percent)) FROM discount_codes d
                             WHERE d.customer_id = e.customer_id OR d.checkout_id = e.checkout_id), '[]') AS previous_offers,
                  coalesce((SELECT json_agg(json_build_object('step_index', m.step_index, 'channel', m.channel,
                                                              'policy', m.decision -> 'policy', 'send_time', m.decision -> 'sendTime',
                                                              'variant', m.decision -> 'variant'))
                              FROM messages m WHERE m.enrollment_id = e.id AND m.status = 'planned'), '[]') AS planned,
                  e.arm, (SELECT st.value ->> 'secret' FROM settings st WHERE st.key = 'experiments') AS experiment_secret,
                  (SELECT count(*)::int FROM push_subscriptions p WHERE p.customer_id = e.customer_id AND p.revoked_at IS NULL) AS push_subscriptions,
                  coalesce((SELECT json_agg(${MESSAGE_FACTS}) FROM messages m
                             WHERE m.customer_id = e.customer_id AND m.status IN ('planned', 'sending', 'sent', 'delivered', 'unknown', 'withheld')
                               AND NOT (m.enrollment_id = e.id AND m.status = 'planned')
                               -- Held-out messages never reach the shopper: they count only in their own enrollment's plan.
                               AND (m.arm = 'treatment' OR m.enrollment_id = e.id)
                               AND coalesce(m.sent_at, m.scheduled_for) > $2::timestamptz - make_interval(days => $3)), '[]') AS history,
                  coalesce((SELECT json_agg(${MESSAGE_FACTS} ORDER BY m.step_index, m.created_at) FROM messages m
                             WHERE m.enrollment_id = e.id AND m.status NOT IN ('cancelled', 'planned')), '[]') AS enrollment
             FROM enrollments e
             JOIN checkouts c ON c.id = e.checkout_id
             JOIN sources s ON s.id = c.source_id
             LEFT JOIN customers cu ON cu.id = e.customer_id
            WHERE e.id = $1`,
    values: [enrollmentId, now, HISTORY_DAYS],
  });
  const row = rows[0];
  if (!row) return null;
  const ours = { cartValue: Number(row.cart_value ?? 0), enrollmentId };
  // A held-out enrollment's plan is what would have been sent: it never pushes a real message out of its slot.
  const outranked = row.arm === 'control' ? [] : row.history.filter((m) => m.status === 'planned' && outranks(ours, m));
  const history: SentMessage[] = row.history.filter((m) => !outranked.includes(m)).map((m) => ({
    channel: m.channel,
    at: new Date(m.at),
    campaignId: m.campaign_id,
    checkoutId: m.checkout_id,
    stepIndex: m.step_index,
    delivered: m.delivered,
    opened: m.opened,
    clicked: m.clicked,
  }));
  const enrollment: EnrollmentMessage[] = row.enrollment.map((m) => ({
    stepIndex: m.step_index,
    channel: m.channel,
    at: new Date(m.at),
    delivered: m.delivered,
    opened: m.opened,
    clicked: m.clicked,
    failed: m.failed,
  }));
  const input: PlannerInput = {
    now,
    campaign: campaignOf(row.campaign),
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
      ...(disabledChannels.length > 0 ? { disabledChannels } : {}),
    },
    history,
    enrollment,
    timeScale,
  };
  const facts: DecisionFacts = {
    device: row.device,
    cartItems: row.cart_items,
    ordersCount: row.orders_count ?? 0,
    lifetimeValue: Number(row.lifetime_value ?? 0),
    sequence: row.enrollment.filter((m) => !m.failed).map((m) => ({ channel: m.channel, discountPct: Number(m.discount_pct ?? 0) })),
    stepOffers: row.enrollment.filter((m) => !m.failed).map((m) => ({ stepIndex: m.step_index, discountPct: Number(m.discount_pct ?? 0) })),
    previousOffers: row.previous_offers.map((o) => ({ type: o.type, percent: Number(o.percent ?? 0) })),
    planned: row.planned.map((p) => ({ stepIndex: p.step_index, channel: p.channel, policy: p.policy, sendTime: p.send_time })),
    variants: [...row.enrollment, ...row.planned].flatMap((m) => (m.variant ? [{ stepIndex: m.step_index, ...m.variant }] : [])),
  };
  if (!row.experiment_secret) throw new Error('the experiment secret is missing from settings (migration 0008 creates it)');
  return { input, facts, experiment: { arm: row.arm, secret: row.experiment_secret }, displaced: [...new Set(outranked.map((m) => m.enrollment_id))] };
}

/**
 * Whether this enrollment takes a slot before another enrollment's still-planned message: the bigger cart
 * goes first (ties: the enrollment id, so every worker agrees). Outranked planned messages are left out of
 * the history we plan against; `displacedBy` finds them so they can be planned again, after us.
 */
function outranks(ours: { cartValue: number; enrollmentId: string }, theirs: MessageFacts): boolean {
  const when = new Date(0);
  return (
    compareForSlot(
      { messageId: ours.enrollmentId, cartValue: ours.cartValue, dueAt: when },
      { messageId: theirs.enrollment_id, cartValue: Number(theirs.cart_value ?? 0), dueAt: when },
    ) < 0
  );
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

/** The message that just went out, as the next read of the planner's input would see it. */
export interface JustSent {
  stepIndex: number;
  channel: ChannelKind;
  at: Date;
}

/**
 * The planner's input after `sent` went out, derived from the input read before sending instead of read again:
 * the message leaves this enrollment's planned list and joins its sequence and the customer's history. Fit only
 * when the send issued no discount code (offers would change what the customer was offered) — the caller reads
 * again then. Engagement that arrives meanwhile is seen when the next message is re-checked at its send time.
 */
export function withSentMessage(loaded: LoadedPlannerInput, sent: JustSent, now: Date): LoadedPlannerInput {
  const { input, facts } = loaded;
  return {
    ...loaded,
    input: {
      ...input,
      now,
      history: [...input.history, { channel: sent.channel, at: sent.at, campaignId: input.campaign.id, checkoutId: input.checkout.id, stepIndex: sent.stepIndex, delivered: false, opened: false, clicked: false }],
      enrollment: [...input.enrollment, { stepIndex: sent.stepIndex, channel: sent.channel, at: sent.at, delivered: false, opened: false, clicked: false, failed: false }],
    },
    facts: {
      ...facts,
      sequence: [...facts.sequence, { channel: sent.channel, discountPct: 0 }],
      stepOffers: [...facts.stepOffers, { stepIndex: sent.stepIndex, discountPct: 0 }],
      planned: facts.planned.filter((p) => !(p.stepIndex === sent.stepIndex && p.channel === sent.channel)),
    },
  };
}

/** The discount the policy chose for a planned step (0 when none): what its message's code is issued for. */
export function plannedDiscountPct(loaded: LoadedPlannerInput, stepIndex: number, channel: ChannelKind): number {
  const planned = loaded.facts.planned.find((p) => p.stepIndex === stepIndex && p.channel === channel);
  return planned?.policy?.action.discountPct ?? 0;
}
