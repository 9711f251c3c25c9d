import { Inject, Injectable } from '@nestjs/common';
import type { DiscountRule } from '../../campaigns/discount-rules';
import { discountRules } from '../../models/discounts';
import { DATABASE, Database } from '../database/database';

/** Rule edits reach planning within this long; planning reads rules for every step it plans. */
const TTL_MS = 15_000;

/** The discount rules as planning sees them: read from the database, kept for a few seconds. */
@Injectable()
export class DiscountRulesSnapshot {
  private rules: DiscountRule[] = [];
  private loadedAt = 0;
  private loading: Promise<DiscountRule[]> | null = null;

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async current(now = Date.now()): Promise<DiscountRule[]> {
    if (now - this.loadedAt < TTL_MS) return this.rules;
    this.loading ??= this.load(now).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Forget the copy (after an edit in this process). */
  invalidate() {
    this.loadedAt = 0;
  }

  private async load(now: number): Promise<DiscountRule[]> {
    const rows = await this.db.select().from(discountRules);
    this.rules = rows.map((r) => ({ id: r.id, name: r.name, priority: r.priority, enabled: r.enabled, conditions: r.conditions, offer: r.offer }));
    this.loadedAt = now;
    return this.rules;
  }
}
