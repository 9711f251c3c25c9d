import { Inject, Injectable } from '@nestjs/common';
import { and, asc, count, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { checkouts, CONSENT_CHANNELS, customerAliases, customers, messages, orders, pushSubscriptions, type Customer } from '../../../../models';
import { CLOCK, Clock } from '../../../common/clock';
import { DATABASE, Database } from '../../../database/database';
import { OptOutService } from '../../../recovery/consent/opt-out.service';
import type { AdminIdentity } from '../../auth/admin-identity';
import { AuditLog } from '../../audit/audit-log.service';
import type { ListQuery } from '../../http/list-query';
import { containsPattern, notFound, parseBody, stringFilter } from '../../../http/resource-http';
import { CUSTOMER_LIST, optOutSchema } from './customers.schema';

type CustomerListQuery = ListQuery<(typeof CUSTOMER_LIST.filters)[number], (typeof CUSTOMER_LIST.sortable)[number]>;

function consentOf(c: Customer) {
  return Object.fromEntries(CONSENT_CHANNELS.map((channel) => [channel, c.consent[channel] ?? null]));
}

function listRow(c: Customer) {
  return {
    id: c.id,
    userId: c.userId,
    email: c.email,
    phone: c.phone,
    timezone: c.timezone,
    locale: c.locale,
    ordersCount: c.ordersCount,
    lifetimeValue: Number(c.lifetimeValue),
    firstSeenAt: c.firstSeenAt,
    lastSeenAt: c.lastSeenAt,
    consent: consentOf(c),
  };
}

/** Shoppers for the console: search, one shopper's contact points, consent and history, and opting them out. */
@Injectable()
export class CustomersAdminService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly optOuts: OptOutService,
    private readonly audit: AuditLog,
  ) {}

  async list(query: CustomerListQuery) {
    const q = stringFilter(query.filter.q, 'q');
    const where: SQL[] = [];
    if (q) where.push(or(ilike(customers.email, containsPattern(q)), ilike(customers.phone, containsPattern(q)))!);
    const condition = where.length > 0 ? and(...where) : undefined;
    const column = customers[query.sort.field];
    const order = query.sort.order === 'ASC' ? sql`${column} ASC NULLS LAST` : sql`${column} DESC NULLS LAST`;
    const [rows, [{ total }]] = await Promise.all([
      this.db.select().from(customers).where(condition).orderBy(order, asc(customers.id)).limit(query.limit).offset(query.offset),
      this.db.select({ total: count() }).from(customers).where(condition),
    ]);
    return { rows: rows.map(listRow), total };
  }

  async get(id: string) {
    const [customer] = await this.db.select().from(customers).where(eq(customers.id, id));
    if (!customer) throw notFound('customer', id);
    const now = this.clock.now();
    const [aliases, subscriptions, orderRows, messageRows, checkoutRows] = await Promise.all([
      this.db.select({ kind: customerAliases.kind, value: customerAliases.value }).from(customerAliases).where(eq(customerAliases.customerId, id)).orderBy(asc(customerAliases.kind), asc(customerAliases.value)),
      this.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.customerId, id)).orderBy(desc(pushSubscriptions.subscribedAt)),
      this.db.select().from(orders).where(eq(orders.customerId, id)).orderBy(desc(orders.occurredAt)).limit(100),
      this.db.select().from(messages).where(eq(messages.customerId, id)).orderBy(desc(messages.scheduledFor)).limit(200),
      this.db
        .select({ id: checkouts.id, externalId: checkouts.externalId, status: checkouts.status, stage: checkouts.stage, cartValue: checkouts.cartValue, currency: checkouts.currency, firstActivityAt: checkouts.firstActivityAt })
        .from(checkouts)
        .where(eq(checkouts.customerId, id))
        .orderBy(desc(checkouts.firstActivityAt))
        .limit(100),
    ]);
    const contactPoints: { kind: string; value: string }[] = [];
    const add = (kind: string, value: string | null) => {
      if (value && !contactPoints.some((p) => p.kind === kind && p.value === value)) contactPoints.push({ kind, value });
    };
    add('email', customer.email);
    add('phone', customer.phone);
    for (const alias of aliases) add(alias.kind, alias.value);
    return {
      ...listRow(customer),
      contactPoints,
      pushSubscriptions: subscriptions.map((s) => ({
        endpoint: s.endpoint,
        subscribedAt: s.subscribedAt,
        expiresAt: s.expiresAt,
        revokedAt: s.revokedAt,
        live: !s.revokedAt && (!s.expiresAt || s.expiresAt > now),
      })),
      orders: orderRows.map((o) => ({ orderId: o.orderId, checkoutId: o.checkoutId, revenue: Number(o.revenue), currency: o.currency, occurredAt: o.occurredAt })),
      messages: messageRows.map((m) => ({
        id: m.id,
        checkoutId: m.checkoutId,
        campaignId: m.campaignId,
        stepIndex: m.stepIndex,
        channel: m.channel,
        status: m.status,
        scheduledFor: m.scheduledFor,
        sentAt: m.sentAt,
        openedAt: m.openedAt,
        clickedAt: m.clickedAt,
        cancelReason: m.cancelReason,
      })),
      checkouts: checkoutRows.map((c) => ({ ...c, cartValue: c.cartValue === null ? null : Number(c.cartValue) })),
    };
  }

  /** Withdraws consent on a channel and cancels what is planned on it (OptOutService), audited in the same transaction. */
  async optOut(id: string, body: unknown, who: AdminIdentity) {
    const { channel } = parseBody(optOutSchema, body);
    const [before] = await this.db.select({ consent: customers.consent }).from(customers).where(eq(customers.id, id));
    if (!before) throw notFound('customer', id);
    let consent: Customer['consent'] = {};
    const cancelled = await this.optOuts.optOutCustomer(id, { channel, at: this.clock.now(), by: `admin:${who.actor}` }, async (scope, cancelledMessages) => {
      const [after] = await scope.db.select({ consent: customers.consent }).from(customers).where(eq(customers.id, id));
      consent = after.consent;
      await this.audit.record(
        who,
        { action: 'opt_out', resource: 'customers', resourceId: id, before: { consent: before.consent }, after: { consent: after.consent, channel, cancelledMessages } },
        scope.db,
      );
    });
    return { customerId: id, channel, cancelledMessages: cancelled, consent: Object.fromEntries(CONSENT_CHANNELS.map((c) => [c, consent[c] ?? null])) };
  }
}
