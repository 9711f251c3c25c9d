import { Injectable } from '@nestjs/common';
import type { DiscountRule } from '../../campaigns/discount-rules';
import { RefreshingValue } from '../common/refreshing-value';
import { DiscountRulesService } from '../discounts/discount-rules.service';

/** Rule edits reach planning within this long; planning reads rules for every step it plans. */
const TTL_MS = 15_000;

/** The discount rules as planning sees them: the stored rules, kept for a few seconds. */
@Injectable()
export class DiscountRulesSnapshot {
  private readonly rules = new RefreshingValue<DiscountRule[]>(() => this.service.list(), TTL_MS);

  constructor(private readonly service: DiscountRulesService) {}

  current(now = Date.now()): Promise<DiscountRule[]> {
    return this.rules.get(now);
  }

  /** Forget the copy (after an edit in this process). */
  invalidate() {
    this.rules.invalidate();
  }
}
