import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { and, asc, count, desc, eq, ilike, or, type SQL } from 'drizzle-orm';
import { discountRuleInputSchema, parseDiscountRuleInput, type DiscountRuleInput } from '../../../../campaigns/discount-rule-schema';
import {
  allowedPercents,
  byRulePriority,
  DEFAULT_PERCENT_LEVELS,
  discountValue,
  matchDiscountRule,
  ruleMismatch,
  rulesDefaultPercent,
  type DiscountContext,
  type DiscountRule,
  type OfferType,
} from '../../../../campaigns/discount-rules';
import { discountRules } from '../../../../models';
import { CLOCK, Clock } from '../../../common/clock';
import { DATABASE, Database } from '../../../database/database';
import { DiscountRulesService, type StoredDiscountRule } from '../../../discounts/discount-rules.service';
import { DiscountRulesSnapshot } from '../../../ml/discount-rules-snapshot';
import type { AdminIdentity } from '../../auth/admin-identity';
import { AuditLog } from '../../audit/audit-log.service';
import type { ListQuery } from '../../http/list-query';
import { booleanFilter, containsPattern, invalidRequest, notFound, parseBody, stringFilter, versionConflict, type Problem } from '../../../http/resource-http';
import { ConflictException } from '@nestjs/common';
import { RULE_LIST, ruleTestSchema } from './discount-rules.schema';
import { zodProblems } from '../../../../campaigns/campaign-schema';

type RuleListQuery = ListQuery<(typeof RULE_LIST.filters)[number], (typeof RULE_LIST.sortable)[number]>;

/** Discount rules for the console, through `DiscountRulesService`; every edit makes planning here see it at once. */
@Injectable()
export class DiscountRulesAdminService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly rules: DiscountRulesService,
    private readonly audit: AuditLog,
    private readonly moduleRef: ModuleRef,
  ) {}

  async list(query: RuleListQuery): Promise<{ rows: StoredDiscountRule[]; total: number }> {
    const where: SQL[] = [];
    const q = stringFilter(query.filter.q, 'q');
    if (q) where.push(or(ilike(discountRules.name, containsPattern(q)), ilike(discountRules.id, containsPattern(q)))!);
    const enabled = booleanFilter(query.filter.enabled, 'enabled');
    if (enabled !== undefined) where.push(eq(discountRules.enabled, enabled));
    const condition = where.length > 0 ? and(...where) : undefined;
    const column = discountRules[query.sort.field];
    const [rows, [{ total }]] = await Promise.all([
      this.db
        .select()
        .from(discountRules)
        .where(condition)
        .orderBy(query.sort.order === 'ASC' ? asc(column) : desc(column), asc(discountRules.id))
        .limit(query.limit)
        .offset(query.offset),
      this.db.select({ total: count() }).from(discountRules).where(condition),
    ]);
    return { rows, total };
  }

  async get(id: string): Promise<StoredDiscountRule> {
    const rule = await this.rules.get(id);
    if (!rule) throw notFound('discount rule', id);
    return rule;
  }

  async create(body: unknown, who: AdminIdentity): Promise<StoredDiscountRule> {
    const input = checked(body);
    const rule = await this.db.transaction(async (tx) => {
      const result = await this.rules.create(input, this.clock.now(), tx);
      if (!result.ok) throw new ConflictException({ error: 'id_taken', message: `a discount rule with id ${input.id} exists already`, problems: [{ path: 'id', message: 'is taken' }], errors: { id: 'is taken' } });
      await this.audit.record(who, { action: 'create', resource: 'discount_rules', resourceId: result.rule.id, after: result.rule }, tx);
      return result.rule;
    });
    this.invalidatePlanningCopy();
    return rule;
  }

  async update(id: string, body: unknown, version: number, who: AdminIdentity): Promise<StoredDiscountRule> {
    const input = checked(body);
    const rule = await this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(discountRules).where(eq(discountRules.id, id)).for('update');
      if (!before) throw notFound('discount rule', id);
      const result = await this.rules.update(id, input, version, this.clock.now(), tx);
      if (!result.ok) throw result.reason === 'not_found' ? notFound('discount rule', id) : versionConflict('discount rule', result.currentVersion);
      await this.audit.record(who, { action: 'update', resource: 'discount_rules', resourceId: id, before, after: result.rule }, tx);
      return result.rule;
    });
    this.invalidatePlanningCopy();
    return rule;
  }

  /** Which rule applies to a context, why each other one does not, and what it allows. */
  async test(body: unknown) {
    const question = parseBody(ruleTestSchema, body);
    const rules: DiscountRule[] = question.rules ? drafts(question.rules) : await this.rules.list();
    const ctx: DiscountContext = { ...question.context, previousOffers: question.context.previousOffers.map((o) => ({ type: o.type as OfferType, percent: o.percent })) };
    const pinned = question.pinnedRuleId ?? null;
    const rule = matchDiscountRule(rules, ctx, pinned);
    return {
      rule: rule && { id: rule.id, name: rule.name, priority: rule.priority, enabled: rule.enabled, conditions: rule.conditions, offer: rule.offer },
      rules: [...rules].sort(byRulePriority).map((r) => {
        const mismatch = pinned !== null && r.id !== pinned ? 'pinned_elsewhere' : ruleMismatch(r, ctx);
        return { id: r.id, name: r.name, priority: r.priority, matched: rule?.id === r.id, mismatch: rule?.id === r.id ? null : (mismatch ?? 'earlier_rule_matched') };
      }),
      allowedPercents: allowedPercents(rule, ctx, [...DEFAULT_PERCENT_LEVELS]),
      defaultPercent: rulesDefaultPercent(rule, ctx),
      discountValue: rule ? discountValue(rule.offer, null, ctx.cartValue, ctx.shippingValue ?? 0) : 0,
    };
  }

  /** Planning in this process reads rules through a few-seconds copy; other processes see the edit within its TTL. */
  private invalidatePlanningCopy() {
    this.moduleRef.get(DiscountRulesSnapshot, { strict: false }).invalidate();
  }
}

function checked(body: unknown): DiscountRuleInput {
  const parsed = discountRuleInputSchema.safeParse(body ?? {});
  if (!parsed.success) throw invalidRequest(zodProblems(parsed.error));
  const result = parseDiscountRuleInput(body);
  if (!result.ok) throw invalidRequest(result.problems);
  return result.rule;
}

/** Draft rules of the tester, each checked like a rule to store; problems named `rules.N.field`. */
function drafts(raw: unknown[]): DiscountRule[] {
  const problems: Problem[] = [];
  const rules = raw.flatMap((draft, i): DiscountRule[] => {
    const parsed = discountRuleInputSchema.safeParse(draft);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, ['rules', i]));
      return [];
    }
    const result = parseDiscountRuleInput(draft);
    if (!result.ok) return [];
    return [{ ...result.rule, id: result.rule.id ?? `draft-${i + 1}` }];
  });
  if (problems.length > 0) throw invalidRequest(problems);
  return rules;
}
