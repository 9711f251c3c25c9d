import { Module } from '@nestjs/common';
import { DiscountCodeService } from './discount-code.service';
import { DiscountRedemptionService } from './discount-redemption.service';
import { DiscountRulesService } from './discount-rules.service';
import { SeedDiscountRules } from './seed-discount-rules';

/**
 * Discount rules and single-use codes, for any role: the recovery engine issues codes (inside its own
 * transaction) with `DiscountCodeService`; the HTTP routes live in `DiscountsApiModule`.
 */
@Module({
  providers: [DiscountCodeService, DiscountRulesService, DiscountRedemptionService, SeedDiscountRules],
  exports: [DiscountCodeService, DiscountRulesService, DiscountRedemptionService],
})
export class DiscountsModule {}
