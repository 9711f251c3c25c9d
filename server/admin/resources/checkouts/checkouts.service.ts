import { Inject, Injectable } from '@nestjs/common';
import { and, asc, count, desc, eq, gte, ilike, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import { campaigns, checkoutSessions, checkouts, enrollments, events, messageEngagements, messages, orders, paymentAttempts, paymentMethods, type Checkout } from '../../../../models';
import { DATABASE, Database } from '../../../database/database';
import type { ListQuery } from '../../http/list-query';
import { containsPattern, dateFilter, enumFilter, notFound, numberFilter, stringFilter } from '../../../http/resource-http';
import { attemptColumns, sessionView } from './checkout-payment';
import { CHECKOUT_LIST, CHECKOUT_STAGES, CHECKOUT_STATUSES } from './checkouts.schema';

type CheckoutListQuery = ListQuery<(typeof CHECKOUT_LIST.filters)[number], (typeof CHECKOUT_LIST.sortable)[number]>;

const money = (value: string | null) => (value === null ? null : Number(value));

function listRow(c: Checkout) {
  return {
    id: c.id,
    externalId: c.externalId,
    sourceId: c.sourceId,
    customerId: c.customerId,
    status: c.status,
    stage: c.stage,
    email: c.email,
    phone: c.phone,
    cartValue: money(c.cartValue),
    currency: c.currency,
    itemCount: c.itemCount,
    device: c.device,
    firstActivityAt: c.firstActivityAt,
    lastActivityAt: c.lastActivityAt,
    abandonedAt: c.abandonedAt,
    recoveredAt: c.recoveredAt,
    completedAt: c.completedAt,
    orderId: c.orderId,
    orderRevenue: money(c.orderRevenue),
  };
}

/** What the policy decided for a message, in the few fields the console shows (the whole decision is kept too). */
function policyOf(decision: unknown) {
  const policy = (decision as { policy?: Record<string, unknown> } | null)?.policy;
  if (!policy || typeof policy !== 'object') return null;
  const action = (policy.action ?? {}) as { channel?: string; discountPct?: number };
  return {
    channel: action.channel ?? null,
    discountPct: action.discountPct ?? 0,
    source: policy.source ?? null,
    modelVersion: policy.modelVersion ?? null,
    reason: policy.reason ?? null,
    discountRuleId: policy.discountRuleId ?? null,
    expectedMargin: policy.expectedMargin ?? null,
  };
}

/** Checkouts for the console: a searchable list, and one checkout's whole story. */
@Injectable()
export class CheckoutsAdminService {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async list(query: CheckoutListQuery) {
    const f = query.filter;
    const where: SQL[] = [];
    const q = stringFilter(f.q, 'q');
    if (q) where.push(or(ilike(checkouts.externalId, containsPattern(q)), ilike(checkouts.email, containsPattern(q)))!);
    const status = enumFilter(f.status, 'status', CHECKOUT_STATUSES);
    if (status) where.push(eq(checkouts.status, status));
    const stage = enumFilter(f.stage, 'stage', CHECKOUT_STAGES);
    if (stage) where.push(eq(checkouts.stage, stage));
    const minValue = numberFilter(f.minValue, 'minValue');
    if (minValue !== undefined) where.push(gte(checkouts.cartValue, String(minValue)));
    const maxValue = numberFilter(f.maxValue, 'maxValue');
    if (maxValue !== undefined) where.push(lte(checkouts.cartValue, String(maxValue)));
    const from = dateFilter(f.from, 'from');
    if (from) where.push(gte(checkouts.firstActivityAt, from));
    const to = dateFilter(f.to, 'to');
    if (to) where.push(lte(checkouts.firstActivityAt, to));
    const condition = where.length > 0 ? and(...where) : undefined;
    const column = checkouts[query.sort.field];
    const order = query.sort.order === 'ASC' ? sql`${column} ASC NULLS LAST` : sql`${column} DESC NULLS LAST`;
    const [rows, [{ total }]] = await Promise.all([
      this.db.select().from(checkouts).where(condition).orderBy(order, asc(checkouts.id)).limit(query.limit).offset(query.offset),
      this.db.select({ total: count() }).from(checkouts).where(condition),
    ]);
    return { rows: rows.map(listRow), total };
  }

  async get(id: string) {
    // The session (one row at most, keyed by the checkout) comes with the checkout: no query of its own.
    const [found] = await this.db
      .select({ checkout: checkouts, session: checkoutSessions })
      .from(checkouts)
      .leftJoin(checkoutSessions, eq(checkoutSessions.checkoutId, checkouts.id))
      .where(eq(checkouts.id, id));
    if (!found) throw notFound('checkout', id);
    const { checkout, session } = found;
    const [eventRows, [enrollment], messageRows, [order], attempts] = await Promise.all([
      this.db
        .select({ eventId: events.eventId, type: events.type, occurredAt: events.occurredAt, receivedAt: events.receivedAt, origin: events.origin, payload: events.payload })
        .from(events)
        .where(eq(events.checkoutId, id))
        .orderBy(asc(events.occurredAt), asc(events.receivedAt)),
      this.db
        .select({
          id: enrollments.id,
          campaignId: enrollments.campaignId,
          campaignName: campaigns.name,
          status: enrollments.status,
          exitReason: enrollments.exitReason,
          abandonedAt: enrollments.abandonedAt,
          endedAt: enrollments.endedAt,
          /** `control`: held out, its messages planned and withheld. */
          arm: enrollments.arm,
          controlProbability: enrollments.controlProbability,
          /** The policy's "send nothing more", when it ended the enrollment. */
          stopDecision: enrollments.stopDecision,
        })
        .from(enrollments)
        .innerJoin(campaigns, eq(campaigns.id, enrollments.campaignId))
        .where(eq(enrollments.checkoutId, id)),
      this.db.select().from(messages).where(eq(messages.checkoutId, id)).orderBy(asc(messages.stepIndex), asc(messages.scheduledFor)),
      this.db.select().from(orders).where(eq(orders.checkoutId, id)).orderBy(desc(orders.occurredAt)).limit(1),
      this.db
        .select(attemptColumns)
        .from(paymentAttempts)
        .leftJoin(paymentMethods, eq(paymentMethods.id, paymentAttempts.paymentMethodId))
        .where(eq(paymentAttempts.checkoutId, id))
        .orderBy(asc(paymentAttempts.startedAt), asc(paymentAttempts.sequence)),
    ]);
    const engagements = messageRows.length
      ? await this.db
          .select()
          .from(messageEngagements)
          .where(inArray(messageEngagements.messageId, messageRows.map((m) => m.id)))
          .orderBy(asc(messageEngagements.at))
      : [];
    return {
      ...listRow(checkout),
      cart: checkout.cart,
      stageReachedAt: checkout.stageReachedAt,
      utm: checkout.utm,
      context: checkout.context,
      abandonment: checkout.abandonment,
      paymentErrors: checkout.paymentErrors,
      events: eventRows,
      enrollment: enrollment ?? null,
      messages: messageRows.map((m) => ({
        id: m.id,
        stepIndex: m.stepIndex,
        channel: m.channel,
        status: m.status,
        scheduledFor: m.scheduledFor,
        sentAt: m.sentAt,
        withheldAt: m.withheldAt,
        variant: m.variant,
        deliveredAt: m.deliveredAt,
        openedAt: m.openedAt,
        clickedAt: m.clickedAt,
        error: m.error,
        cancelReason: m.cancelReason,
        recoveredRevenue: money(m.recoveredRevenue),
        policy: policyOf(m.decision),
        decision: m.decision,
        engagements: engagements.filter((e) => e.messageId === m.id).map((e) => ({ kind: e.kind, at: e.at, detail: e.detail })),
      })),
      order: order ? { orderId: order.orderId, revenue: Number(order.revenue), currency: order.currency, occurredAt: order.occurredAt } : null,
      session: session ? sessionView(session) : null,
      paymentAttempts: attempts.map((a) => ({ ...a, amount: Number(a.amount) })),
    };
  }
}
