import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CLOCK, Clock } from '../common/clock';
import { DiscountRulesService } from './discount-rules.service';

/** On every start: the default discount rules, when the store has none yet. */
@Injectable()
export class SeedDiscountRules implements OnApplicationBootstrap {
  private readonly logger = new Logger(SeedDiscountRules.name);

  constructor(
    private readonly rules: DiscountRulesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap() {
    const seeded = await this.rules.seedDefaults(this.clock.now());
    if (seeded > 0) this.logger.log(`seeded ${seeded} default discount rules`);
  }
}
