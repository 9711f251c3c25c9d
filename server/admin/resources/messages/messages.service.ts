import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { PG_POOL } from '../../../database/database';
import { enumFilter, notFound, stringFilter, uuidParam } from '../../../http/resource-http';
import type { ListQuery } from '../../http/list-query';
import { MessagePreview, MessagePreviews } from './message-preview';
import { MESSAGE_ARMS, MESSAGE_CHANNELS, MESSAGE_LIST, MESSAGE_STATUSES } from './messages.schema';

type MessageListQuery = ListQuery<(typeof MESSAGE_LIST.filters)[number], (typeof MESSAGE_LIST.sortable)[number]>;

const SORT_COLUMNS: Record<MessageListQuery['sort']['field'], string> = {
  scheduledFor: 'm.scheduled_for',
  sentAt: 'm.sent_at',
  createdAt: 'm.created_at',
  stepIndex: 'm.step_index',
};

/** One message with where it went: the address the composer would use (the checkout's, else the customer's). */
const SELECT = `SELECT m.id, m.checkout_id, c.external_id AS checkout_external_id, m.campaign_id, ca.name AS campaign_name, m.step_index,
       m.channel, m.status, m.arm, m.variant, m.scheduled_for, m.sent_at, m.withheld_at, m.delivered_at, m.opened_at, m.clicked_at,
       m.error, m.cancel_reason, m.recovered_revenue, c.currency,
       CASE m.channel WHEN 'email' THEN coalesce(c.email, cu.email) WHEN 'sms' THEN coalesce(c.phone, cu.phone) ELSE 'push subscription' END AS recipient
  FROM messages m JOIN checkouts c ON c.id = m.checkout_id JOIN campaigns ca ON ca.id = m.campaign_id
  LEFT JOIN customers cu ON cu.id = m.customer_id`;

interface MessageDbRow {
  id: string;
  checkout_id: string;
  checkout_external_id: string;
  campaign_id: string;
  campaign_name: string;
  step_index: number;
  channel: string;
  status: string;
  arm: string;
  variant: string | null;
  scheduled_for: Date;
  sent_at: Date | null;
  withheld_at: Date | null;
  delivered_at: Date | null;
  opened_at: Date | null;
  clicked_at: Date | null;
  error: string | null;
  cancel_reason: string | null;
  recovered_revenue: string | null;
  currency: string | null;
  recipient: string | null;
}

function view(row: MessageDbRow, preview: MessagePreview | undefined) {
  return {
    id: row.id,
    checkoutId: row.checkout_id,
    checkoutExternalId: row.checkout_external_id,
    campaignId: row.campaign_id,
    campaignName: row.campaign_name,
    // 1-based, as the console numbers steps everywhere.
    step: row.step_index + 1,
    stepIndex: row.step_index,
    channel: row.channel,
    status: row.status,
    arm: row.arm,
    variant: row.variant,
    recipient: row.recipient,
    scheduledFor: row.scheduled_for,
    sentAt: row.sent_at,
    withheldAt: row.withheld_at,
    deliveredAt: row.delivered_at,
    openedAt: row.opened_at,
    clickedAt: row.clicked_at,
    error: row.error,
    cancelReason: row.cancel_reason,
    recoveredRevenue: row.recovered_revenue === null ? null : Number(row.recovered_revenue),
    currency: row.currency,
    subject: preview && 'subject' in preview ? preview.subject : preview && 'title' in preview ? preview.title : null,
  };
}

/** Messages for the console: what was (or would be) sent, to whom, and its content rendered as the worker renders it. */
@Injectable()
export class MessagesAdminService {
  private readonly previews: MessagePreviews;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
    moduleRef: ModuleRef,
  ) {
    this.previews = new MessagePreviews(pool, moduleRef, config.publicUrl);
  }

  async list(query: MessageListQuery) {
    const f = query.filter;
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      values.push(value);
      where.push(sql(`$${values.length}`));
    };
    const status = enumFilter(f.status, 'status', MESSAGE_STATUSES);
    if (status) add((p) => `m.status = ${p}`, status);
    const channel = enumFilter(f.channel, 'channel', MESSAGE_CHANNELS);
    if (channel) add((p) => `m.channel = ${p}`, channel);
    const arm = enumFilter(f.arm, 'arm', MESSAGE_ARMS);
    if (arm) add((p) => `m.arm = ${p}`, arm);
    const checkoutId = stringFilter(f.checkoutId, 'checkoutId');
    if (checkoutId) add((p) => `m.checkout_id = ${p}`, uuidParam(checkoutId, 'filter.checkoutId'));
    const q = stringFilter(f.q, 'q');
    if (q) add((p) => `(c.external_id ILIKE ${p} OR c.email ILIKE ${p} OR cu.email ILIKE ${p})`, `%${q.replace(/[\\%_]/g, (x) => `\\${x}`)}%`);
    const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const order = `${SORT_COLUMNS[query.sort.field]} ${query.sort.order} NULLS LAST, m.id`;
    const [page, total] = await Promise.all([
      this.pool.query<MessageDbRow>(`${SELECT} ${condition} ORDER BY ${order} LIMIT ${query.limit} OFFSET ${query.offset}`, values),
      this.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages m JOIN checkouts c ON c.id = m.checkout_id LEFT JOIN customers cu ON cu.id = m.customer_id ${condition}`,
        values,
      ),
    ]);
    const previews = await this.previews.render(page.rows.map((r) => r.id));
    return { rows: page.rows.map((r) => view(r, previews.get(r.id))), total: total.rows[0].n };
  }

  async get(id: string) {
    const { rows } = await this.pool.query<MessageDbRow>(`${SELECT} WHERE m.id = $1`, [id]);
    if (!rows[0]) throw notFound('message', id);
    const preview = (await this.previews.render([id])).get(id);
    const { rows: engagements } = await this.pool.query<{ kind: string; at: Date }>('SELECT kind, at FROM message_engagements WHERE message_id = $1 ORDER BY at', [id]);
    return { ...view(rows[0], preview), preview, engagements };
  }
}
