import { Inject, Injectable } from '@nestjs/common';
import type { DecisionContext } from '../../ml/features';
import type { Random } from '../../ml/random';
import { chooseDelay, segmentKey, type SendTimeState, stateFromCounts, summarize } from '../../ml/send-time-bandit';
import { sendTimeStats } from '../../models/ml';
import { DATABASE, Database } from '../database/database';
import type { StoredSendTimeDecision } from '../recovery/planning/step-policy';

/** The counts change once a night (training recomputes them); a few minutes' staleness costs nothing. */
const TTL_MS = 5 * 60_000;

/** The send-time bandit in the engine: its counts from `send_time_stats`, its choice for a first reminder. */
@Injectable()
export class SendTimeLearning {
  private state: SendTimeState = {};
  private loadedAt = 0;
  private loading: Promise<SendTimeState> | null = null;

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async choose(ctx: DecisionContext, arms: number[], random: Random): Promise<StoredSendTimeDecision> {
    const state = await this.current();
    const segment = segmentKey(ctx);
    const bounds = { min: Math.min(...arms), max: Math.max(...arms) };
    const { delayMinutes, propensity } = chooseDelay(state, segment, arms, bounds, random);
    return { segment, armMinutes: delayMinutes, propensity };
  }

  /** What was learned, read fresh (the console asks rarely; planning uses the cached copy). */
  async summary() {
    return summarize(await this.load(Date.now()));
  }

  private async current(now = Date.now()): Promise<SendTimeState> {
    if (now - this.loadedAt < TTL_MS) return this.state;
    this.loading ??= this.load(now).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(now: number): Promise<SendTimeState> {
    const rows = await this.db.select().from(sendTimeStats);
    this.state = stateFromCounts(rows);
    this.loadedAt = now;
    return this.state;
  }
}
