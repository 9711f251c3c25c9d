import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { and, asc, count, desc, eq, ilike, or, type SQL } from 'drizzle-orm';
import type { ChannelKind } from '../../../../campaigns/types';
import { templates, type TemplateRow } from '../../../../models';
import { CLOCK, Clock } from '../../../common/clock';
import { DATABASE, Database } from '../../../database/database';
import { SIGNED_LINKS, SignedLinks } from '../../../recovery/links/signed-links';
import { buildTemplateContext, renderEmail, renderPush, renderSms, smsSegments, TemplateRenderError, type TemplateContext, type TemplateSource } from '../../../recovery/templates';
import type { AdminIdentity } from '../../auth/admin-identity';
import { AuditLog } from '../../audit/audit-log.service';
import type { ListQuery } from '../../http/list-query';
import { containsPattern, enumFilter, invalidRequest, notFound, parseBody, stringFilter, versionConflict, type Problem } from '../../../http/resource-http';
import { TEMPLATE_CHANNELS, TEMPLATE_LIST, templateCreateSchema, templatePreviewSchema, templateUpdateSchema, type TemplatePreviewRequest } from './templates.schema';

type TemplateListQuery = ListQuery<(typeof TEMPLATE_LIST.filters)[number], (typeof TEMPLATE_LIST.sortable)[number]>;
export type TemplateRecord = TemplateRow & { id: string };

const PREVIEW_MESSAGE_ID = '00000000-0000-4000-8000-000000000000';

const record = (row: TemplateRow): TemplateRecord => ({ id: row.key, ...row });

/** Message templates for the console: edited with optimistic concurrency, previewed on a sample checkout. */
@Injectable()
export class TemplatesAdminService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SIGNED_LINKS) private readonly links: SignedLinks,
    private readonly audit: AuditLog,
  ) {}

  async list(query: TemplateListQuery): Promise<{ rows: TemplateRecord[]; total: number }> {
    const where: SQL[] = [];
    const q = stringFilter(query.filter.q, 'q');
    if (q) where.push(or(ilike(templates.key, containsPattern(q)), ilike(templates.name, containsPattern(q)))!);
    const channel = enumFilter(query.filter.channel, 'channel', TEMPLATE_CHANNELS);
    if (channel) where.push(eq(templates.channel, channel));
    const condition = where.length > 0 ? and(...where) : undefined;
    const column = templates[query.sort.field];
    const [rows, [{ total }]] = await Promise.all([
      this.db
        .select()
        .from(templates)
        .where(condition)
        .orderBy(query.sort.order === 'ASC' ? asc(column) : desc(column), asc(templates.key))
        .limit(query.limit)
        .offset(query.offset),
      this.db.select({ total: count() }).from(templates).where(condition),
    ]);
    return { rows: rows.map(record), total };
  }

  async get(key: string): Promise<TemplateRecord> {
    const [row] = await this.db.select().from(templates).where(eq(templates.key, key));
    if (!row) throw notFound('template', key);
    return record(row);
  }

  async create(body: unknown, who: AdminIdentity): Promise<TemplateRecord> {
    const input = parseBody(templateCreateSchema, body);
    this.checkRenders(input);
    const row = await this.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(templates)
        .values({ key: input.key, channel: input.channel, name: input.name, subject: input.subject ?? null, html: input.html ?? null, text: input.text, version: 1, updatedAt: this.clock.now() })
        .onConflictDoNothing({ target: templates.key })
        .returning();
      if (!created) throw new ConflictException({ error: 'key_taken', message: `a template with key ${input.key} exists already`, problems: [{ path: 'key', message: 'is taken' }], errors: { key: 'is taken' } });
      await this.audit.record(who, { action: 'create', resource: 'templates', resourceId: created.key, after: created }, tx);
      return created;
    });
    return record(row);
  }

  async update(key: string, body: unknown, version: number, who: AdminIdentity): Promise<TemplateRecord> {
    const input = parseBody(templateUpdateSchema, body);
    const row = await this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(templates).where(eq(templates.key, key)).for('update');
      if (!before) throw notFound('template', key);
      if (before.version !== version) throw versionConflict('template', before.version);
      if (input.channel && input.channel !== before.channel) throw invalidRequest([{ path: 'channel', message: `cannot be changed (it is ${before.channel}); create another template instead` }]);
      const next = { channel: before.channel, subject: input.subject ?? null, html: input.html ?? null, text: input.text };
      const problems = channelProblems(next);
      if (problems.length > 0) throw invalidRequest(problems);
      this.checkRenders(next);
      const [after] = await tx
        .update(templates)
        .set({ name: input.name, subject: next.subject, html: next.html, text: next.text, version: before.version + 1, updatedAt: this.clock.now() })
        .where(eq(templates.key, key))
        .returning();
      await this.audit.record(who, { action: 'update', resource: 'templates', resourceId: key, before, after }, tx);
      return after;
    });
    return record(row);
  }

  /** A draft rendered on a sample checkout, exactly as a message would be (customer data escaped per channel). */
  preview(body: unknown) {
    const request = parseBody(templatePreviewSchema, body);
    const { template } = request;
    const source: TemplateSource = { key: template.key, channel: template.channel, subject: template.subject ?? null, html: template.html ?? null, text: template.text };
    const context = this.sampleContext(template.channel, request.sample);
    try {
      if (template.channel === 'email') return { channel: 'email' as const, ...renderEmail(source, context) };
      if (template.channel === 'sms') {
        const sms = renderSms(source, context);
        return { channel: 'sms' as const, body: sms.body, encoding: sms.encoding, units: smsSegments(sms.body).units, segments: sms.segments };
      }
      return { channel: 'push' as const, ...renderPush(source, context) };
    } catch (error) {
      if (error instanceof TemplateRenderError) throw invalidRequest([{ path: `template.${error.part}`, message: renderMessage(error) }]);
      throw error;
    }
  }

  /** Every part renders (Mustache parses it); each part that does not is named. */
  private checkRenders(t: { channel: ChannelKind; subject?: string | null; html?: string | null; text: string }) {
    const context = this.sampleContext(t.channel);
    const problems: Problem[] = [];
    const attempt = (part: string, render: () => unknown) => {
      try {
        render();
      } catch (error) {
        if (!(error instanceof TemplateRenderError)) throw error;
        problems.push({ path: part, message: renderMessage(error) });
      }
    };
    if (t.subject) attempt('subject', () => renderEmail({ subject: t.subject, text: '' }, context));
    if (t.html) attempt('html', () => renderEmail({ html: t.html, text: '' }, context));
    attempt('text', () => (t.channel === 'sms' ? renderSms({ text: t.text }, context) : renderEmail({ text: t.text }, context)));
    if (problems.length > 0) throw invalidRequest(problems);
  }

  private sampleContext(channel: ChannelKind, sample: TemplatePreviewRequest['sample'] = undefined): TemplateContext {
    return buildTemplateContext({
      messageId: PREVIEW_MESSAGE_ID,
      channel,
      links: this.links,
      resumeUrl: sample?.resumeUrl ?? 'https://shop.example.com/checkout',
      brandName: sample?.brandName ?? 'Our store',
      cart: sample?.cart ?? SAMPLE_CART,
      customer: { firstName: sample?.firstName === undefined ? 'Ann' : sample.firstName, email: sample?.email === undefined ? 'ann@example.com' : sample.email },
      locale: sample?.locale ?? 'en-US',
      timezone: sample?.timezone ?? 'UTC',
      offer: sample?.offer === undefined ? SAMPLE_OFFER(this.clock.now()) : sample.offer && { ...sample.offer, expiresAt: sample.offer.expiresAt ? new Date(sample.offer.expiresAt) : null },
    });
  }
}

function channelProblems(t: { channel: ChannelKind; subject: string | null; html: string | null }): Problem[] {
  const problems: Problem[] = [];
  if (t.channel === 'email' && !t.subject?.trim()) problems.push({ path: 'subject', message: 'is required for an email' });
  if (t.channel === 'sms' && t.subject) problems.push({ path: 'subject', message: 'an SMS has no subject' });
  if (t.channel !== 'email' && t.html) problems.push({ path: 'html', message: `only emails have HTML, not ${t.channel}` });
  return problems;
}

function renderMessage(error: TemplateRenderError): string {
  return `does not render: ${error.message.replace(/^Template \S+ \S+: /, '')}`;
}

const SAMPLE_CART = {
  currency: 'USD',
  value: 84.5,
  items: [
    { sku: 'TEE-1', name: 'Organic cotton tee', quantity: 2, unit_price: 19.5 },
    { sku: 'CAP-2', name: 'Canvas cap', quantity: 1, unit_price: 45.5 },
  ],
};

const SAMPLE_OFFER = (now: Date) => ({ code: 'K7QXM2PA9TZD', description: '10% off', expiresAt: new Date(now.getTime() + 48 * 3_600_000) });
