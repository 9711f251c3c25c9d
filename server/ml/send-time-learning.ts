import { Inject, Injectable } from '@nestjs/common';
import type { DecisionContext } from '../../ml/features';
import type { Random } from '../../ml/random';
import { chooseDelay, segmentKey, type SendTimeState, stateFromCounts, summarize } from '../../ml/send-time-bandit';
import { sendTimeStats } from '../../models/ml';
import { RefreshingValue } from '../common/refreshing-value';
import { DATABASE, Database } from '../database/database';
import type { StoredSendTimeDecision } from '../recovery/planning/step-policy';

/** The counts change once a night (training recomputes them); a few minutes' staleness costs nothing. */
const TTL_MS = 5 * 60_000;

/** The send-time bandit in the engine: its counts from `send_time_stats`, its choice for a first reminder. */
@Injectable()
export class SendTimeLearning {
  private readonly state = new RefreshingValue<SendTimeState>(async () => stateFromCounts(await this.db.select().from(sendTimeStats)), TTL_MS);

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async choose(ctx: DecisionContext, arms: number[], random: Random): Promise<StoredSendTimeDecision> {
    const state = await this.state.get();
    const segment = segmentKey(ctx);
    const bounds = { min: Math.min(...arms), max: Math.max(...arms) };
    const { delayMinutes, propensity } = chooseDelay(state, segment, arms, bounds, random);
    return { segment, armMinutes: delayMinutes, propensity };
  }

  /** What was learned, read fresh (the console asks rarely; planning uses the cached copy). */
  async summary() {
    return summarize(await this.state.reload());
  }
}
