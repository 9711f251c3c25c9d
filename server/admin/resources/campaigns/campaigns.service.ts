import { Inject, Injectable } from '@nestjs/common';
import { and, asc, count, desc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import { parseCampaignInput, referenceProblems, type CampaignInput } from '../../../../campaigns/campaign-schema';
import { promoteVariant } from '../../../../campaigns/experiments/variants';
import { previewTimeline } from '../../../../campaigns/timeline-preview';
import type { ChannelKind, Recipient } from '../../../../campaigns/types';
import { campaigns, templates, type CampaignRow } from '../../../../models';
import { CLOCK, Clock } from '../../../common/clock';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { disabledChannels } from '../../../recovery/channels/channel-status';
import { DATABASE, Database, Transaction } from '../../../database/database';
import { DiscountRulesService } from '../../../discounts/discount-rules.service';
import type { AdminIdentity } from '../../auth/admin-identity';
import { AuditLog } from '../../audit/audit-log.service';
import type { ListQuery } from '../../http/list-query';
import { containsPattern, enumFilter, invalidRequest, notFound, parseBody, stringFilter, versionConflict, withoutReadOnly } from '../../../http/resource-http';
import { CAMPAIGN_LIST, CAMPAIGN_READ_ONLY, previewShopperSchema, promoteSchema } from './campaigns.schema';

type CampaignListQuery = ListQuery<(typeof CAMPAIGN_LIST.filters)[number], (typeof CAMPAIGN_LIST.sortable)[number]>;

export interface CampaignResults {
  enrolled: number;
  messagesSent: number;
  recovered: number;
  recoveredRevenue: number;
}

export type CampaignRecord = CampaignRow & { last7Days: CampaignResults };

const EMPTY_RESULTS: CampaignResults = { enrolled: 0, messagesSent: 0, recovered: 0, recoveredRevenue: 0 };
const DAY_MS = 86_400_000;

/** Campaigns for the console: listed with their last week's results, created and edited with optimistic concurrency. */
@Injectable()
export class CampaignsAdminService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly rules: DiscountRulesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(query: CampaignListQuery): Promise<{ rows: CampaignRecord[]; total: number }> {
    const where: SQL[] = [];
    const q = stringFilter(query.filter.q, 'q');
    if (q) where.push(ilike(campaigns.name, containsPattern(q)));
    const status = enumFilter(query.filter.status, 'status', ['active', 'paused'] as const);
    if (status) where.push(eq(campaigns.status, status));
    const condition = where.length > 0 ? and(...where) : undefined;
    const column = campaigns[query.sort.field];
    const order = query.sort.order === 'ASC' ? asc(column) : desc(column);
    const [rows, [{ total }]] = await Promise.all([
      this.db.select().from(campaigns).where(condition).orderBy(order, asc(campaigns.id)).limit(query.limit).offset(query.offset),
      this.db.select({ total: count() }).from(campaigns).where(condition),
    ]);
    const results = await this.results(rows.map((r) => r.id));
    return { rows: rows.map((r) => ({ ...r, last7Days: results.get(r.id) ?? EMPTY_RESULTS })), total };
  }

  async get(id: string): Promise<CampaignRecord> {
    const [row] = await this.db.select().from(campaigns).where(eq(campaigns.id, id));
    if (!row) throw notFound('campaign', id);
    const results = await this.results([id]);
    return { ...row, last7Days: results.get(id) ?? EMPTY_RESULTS };
  }

  async create(body: unknown, who: AdminIdentity): Promise<CampaignRecord> {
    const input = this.checked(body);
    const now = this.clock.now();
    const row = await this.db.transaction(async (tx) => {
      await this.checkReferences(tx, input);
      const [created] = await tx.insert(campaigns).values({ ...input, version: 1, createdAt: now, updatedAt: now }).returning();
      await this.audit.record(who, { action: 'create', resource: 'campaigns', resourceId: created.id, after: created }, tx);
      return created;
    });
    return { ...row, last7Days: EMPTY_RESULTS };
  }

  /** Replaces the campaign's settings if it is still at `version` (its status stays: activate/pause change it). */
  async update(id: string, body: unknown, version: number, who: AdminIdentity): Promise<CampaignRecord> {
    const { status: _ignored, ...input } = this.checked(body);
    const row = await this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for('update');
      if (!before) throw notFound('campaign', id);
      if (before.version !== version) throw versionConflict('campaign', before.version);
      await this.checkReferences(tx, input);
      const [after] = await tx
        .update(campaigns)
        .set({ ...input, version: before.version + 1, updatedAt: this.clock.now() })
        .where(eq(campaigns.id, id))
        .returning();
      await this.audit.record(who, { action: 'update', resource: 'campaigns', resourceId: id, before, after }, tx);
      return after;
    });
    return this.withResults(row);
  }

  async setStatus(id: string, status: 'active' | 'paused', who: AdminIdentity): Promise<CampaignRecord> {
    const row = await this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for('update');
      if (!before) throw notFound('campaign', id);
      const [after] = await tx.update(campaigns).set({ status, updatedAt: this.clock.now() }).where(eq(campaigns.id, id)).returning();
      await this.audit.record(who, { action: status === 'active' ? 'activate' : 'pause', resource: 'campaigns', resourceId: id, before: { status: before.status }, after: { status } }, tx);
      return after;
    });
    return this.withResults(row);
  }

  /**
   * Ends a step's A/B/n test: the winner's templates and offer become the step's own, the variants go (messages keep
   * the variant they were given, so the test stays readable in the Lift report). Audit-logged.
   */
  async promoteVariant(id: string, stepIndex: number, body: unknown, who: AdminIdentity): Promise<CampaignRecord> {
    const { variant } = parseBody(promoteSchema, body);
    const row = await this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for('update');
      if (!before) throw notFound('campaign', id);
      const step = before.steps[stepIndex];
      if (!step) throw invalidRequest([{ path: 'stepIndex', message: `the campaign has ${before.steps.length} steps (0 to ${before.steps.length - 1})` }]);
      if (!step.variants?.some((v) => v.name === variant)) {
        const names = (step.variants ?? []).map((v) => `"${v.name}"`).join(', ');
        throw invalidRequest([{ path: 'variant', message: names ? `must be one of the step's variants: ${names}` : 'the step has no A/B/n test' }]);
      }
      const steps = before.steps.map((s, i) => (i === stepIndex ? promoteVariant(s, variant) : s));
      const [after] = await tx.update(campaigns).set({ steps, version: before.version + 1, updatedAt: this.clock.now() }).where(eq(campaigns.id, id)).returning();
      await this.audit.record(who, { action: 'promote_variant', resource: 'campaigns', resourceId: id, before: { stepIndex, steps: before.steps }, after: { stepIndex, variant, steps } }, tx);
      return after;
    });
    return this.withResults(row);
  }

  /** The planned timeline of a draft for one imagined shopper (campaigns/timeline-preview.ts). */
  async preview(body: unknown) {
    const shopper = parseBody(previewShopperSchema, body);
    // The console previews the record it edits: what the server itself returned (id, version, results) is not the draft.
    const draft = parseCampaignInput(withoutReadOnly(shopper.campaign, [...CAMPAIGN_READ_ONLY, 'version']));
    if (!draft.ok) throw invalidRequest(draft.problems.map((p) => ({ ...p, path: p.path ? `campaign.${p.path}` : 'campaign' })));
    const reachable = new Set<ChannelKind>(shopper.channels);
    const consent = { email: reachable.has('email'), sms: reachable.has('sms'), push: reachable.has('push') };
    const recipient: Recipient = {
      timezone: shopper.timezone,
      email: reachable.has('email') ? 'shopper@example.com' : null,
      phone: reachable.has('sms') ? (shopper.phone ?? '+14155550100') : (shopper.phone ?? null),
      pushSubscriptions: reachable.has('push') ? 1 : 0,
      consent,
      requireEmailOptIn: false,
      lastEngagedChannel: shopper.lastEngagedChannel ?? null,
      // As the engine plans: never on a channel whose configuration is missing here.
      disabledChannels: disabledChannels(this.config),
    };
    const timeline = previewTimeline({
      campaign: { id: 'preview', ...draft.campaign },
      checkout: { cartValue: shopper.checkout.cartValue, stage: shopper.checkout.stage, isNewCustomer: shopper.checkout.isNewCustomer, abandonedAt: new Date(shopper.abandonedAt) },
      ordersCount: shopper.checkout.ordersCount,
      lifetimeValue: shopper.checkout.lifetimeValue,
      recipient,
      assume: shopper.assume,
      rules: await this.rules.list(),
    });
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: shopper.timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
    return {
      ...timeline,
      messages: timeline.messages.map((m) => ({ ...m, localTime: local.format(m.at) })),
    };
  }

  private checked(body: unknown): CampaignInput {
    const parsed = parseCampaignInput(body);
    if (!parsed.ok) throw invalidRequest(parsed.problems);
    return parsed.campaign;
  }

  /** The templates and rules the campaign names exist (read in the transaction that stores it). */
  private async checkReferences(tx: Transaction, input: Pick<CampaignInput, 'steps'>): Promise<void> {
    const templateSets = input.steps.flatMap((s) => [s.templates, ...(s.variants ?? []).map((v) => v.templates ?? {})]);
    const keys = [...new Set(templateSets.flatMap((t) => Object.values(t).filter((k): k is string => !!k)))];
    const [foundTemplates, rules] = await Promise.all([
      keys.length > 0 ? tx.select({ key: templates.key, channel: templates.channel }).from(templates).where(inArray(templates.key, keys)) : [],
      this.rules.list(tx),
    ]);
    const problems = referenceProblems(input, {
      templates: new Map(foundTemplates.map((t) => [t.key, t.channel])),
      discountRules: rules,
    });
    if (problems.length > 0) throw invalidRequest(problems);
  }

  private async withResults(row: CampaignRow): Promise<CampaignRecord> {
    const results = await this.results([row.id]);
    return { ...row, last7Days: results.get(row.id) ?? EMPTY_RESULTS };
  }

  /** Each campaign's last 7 days: enrollments (by abandonment), messages sent, checkouts its messages recovered. */
  private async results(ids: string[]): Promise<Map<string, CampaignResults>> {
    if (ids.length === 0) return new Map();
    const since = new Date(this.clock.now().getTime() - 7 * DAY_MS);
    const { rows } = await this.db.execute<{ id: string; enrolled: number; sent: number; recovered: number; revenue: string | null }>(sql`
      SELECT ca.id,
             (SELECT count(*)::int FROM enrollments e WHERE e.campaign_id = ca.id AND e.abandoned_at >= ${since}) AS enrolled,
             (SELECT count(*)::int FROM messages m WHERE m.campaign_id = ca.id AND m.sent_at >= ${since}) AS sent,
             r.recovered, r.revenue
        FROM campaigns ca
        CROSS JOIN LATERAL (
          SELECT count(*)::int AS recovered, sum(m.recovered_revenue) AS revenue
            FROM checkouts k JOIN messages m ON m.id = k.recovered_by_message_id
           WHERE m.campaign_id = ca.id AND k.recovered_at >= ${since}
        ) r
       WHERE ca.id IN (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`);
    return new Map(rows.map((r) => [r.id, { enrolled: r.enrolled, messagesSent: r.sent, recovered: r.recovered, recoveredRevenue: Number(r.revenue ?? 0) }]));
  }
}
