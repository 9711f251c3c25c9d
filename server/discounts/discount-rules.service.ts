import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, sql } from 'drizzle-orm';
import { Pool } from 'pg';
import type { DiscountRuleInput } from '../../campaigns/discount-rule-schema';
import { DEFAULT_DISCOUNT_RULES, DiscountRule } from '../../campaigns/discount-rules';
import { DiscountRuleRow, discountRules } from '../../models';
import { Database, DATABASE, PG_POOL } from '../database/database';
import { inTransaction } from '../database/transaction';
import type { DbExecutor } from './discount-code.service';

/** A rule as stored: the rule, and the version an edit must name. */
export interface StoredDiscountRule extends DiscountRule {
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type CreateRuleResult = { ok: true; rule: StoredDiscountRule } | { ok: false; reason: 'id_taken' };
export type UpdateRuleResult =
  | { ok: true; rule: StoredDiscountRule }
  | { ok: false; reason: 'not_found' }
  /** Someone saved the rule since `expectedVersion` was read. */
  | { ok: false; reason: 'version_conflict'; currentVersion: number };

const SEED_LOCK = 4_242_004;

function toRule(row: DiscountRuleRow): StoredDiscountRule {
  return { ...row };
}

/** The discount rules: read in priority order, created, and edited with optimistic concurrency. */
@Injectable()
export class DiscountRulesService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  /** Every rule, enabled or not, by ascending priority then id (the order `matchDiscountRule` considers them in). */
  async list(executor: DbExecutor = this.db): Promise<StoredDiscountRule[]> {
    const rows = await executor.select().from(discountRules).orderBy(asc(discountRules.priority), asc(discountRules.id));
    return rows.map(toRule);
  }

  async get(id: string, executor: DbExecutor = this.db): Promise<StoredDiscountRule | null> {
    const [row] = await executor.select().from(discountRules).where(eq(discountRules.id, id));
    return row ? toRule(row) : null;
  }

  /** Stores a rule checked by `parseDiscountRuleInput`; an id is assigned unless the input has one. `executor`: a transaction to join. */
  async create(input: DiscountRuleInput, now: Date, executor: DbExecutor = this.db): Promise<CreateRuleResult> {
    const { id, ...fields } = input;
    const rows = await executor
      .insert(discountRules)
      .values({ ...(id !== undefined ? { id } : {}), ...fields, createdAt: now, updatedAt: now })
      .onConflictDoNothing({ target: discountRules.id })
      .returning();
    return rows[0] ? { ok: true, rule: toRule(rows[0]) } : { ok: false, reason: 'id_taken' };
  }

  /** Replaces a rule's fields if it is still at `expectedVersion`, and moves it to the next version. */
  async update(id: string, input: DiscountRuleInput, expectedVersion: number, now: Date, executor: DbExecutor = this.db): Promise<UpdateRuleResult> {
    const { id: _ignored, ...fields } = input;
    const rows = await executor
      .update(discountRules)
      .set({ ...fields, version: sql`${discountRules.version} + 1`, updatedAt: now })
      .where(and(eq(discountRules.id, id), eq(discountRules.version, expectedVersion)))
      .returning();
    if (rows[0]) return { ok: true, rule: toRule(rows[0]) };
    const current = await this.get(id, executor);
    return current ? { ok: false, reason: 'version_conflict', currentVersion: current.version } : { ok: false, reason: 'not_found' };
  }

  /**
   * The default rules, when there are no rules at all (a store that deleted or changed them is left alone).
   * Replicas starting together take turns. Returns how many were inserted.
   */
  seedDefaults(now: Date): Promise<number> {
    return inTransaction(this.pool, async ({ client, db }) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
      const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(discountRules);
      if (n > 0) return 0;
      await db.insert(discountRules).values(DEFAULT_DISCOUNT_RULES.map((r) => ({ ...r, createdAt: now, updatedAt: now })));
      return DEFAULT_DISCOUNT_RULES.length;
    });
  }
}
