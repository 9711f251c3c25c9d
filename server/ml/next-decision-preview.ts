import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { stepWithVariant } from '../../campaigns/experiments/variants';
import { planNextMessage } from '../../campaigns/planner';
import { CLOCK, Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PG_POOL } from '../database/database';
import { disabledChannels } from '../recovery/channels/channel-status';
import { loadPlannerInput } from '../recovery/planning/planner-input';
import type { NextDecisionPreview } from './next-decision-view';
import { RecoveryPolicy } from './recovery-policy';

/**
 * "What the model would do now" for one checkout: its active enrollment's next step as the planner sees it now, and
 * the step decision on it without exploring. Reads only; plans and sends nothing.
 */
@Injectable()
export class NextDecisionPreviews {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policy: RecoveryPolicy,
  ) {}

  async forCheckout(checkoutId: string): Promise<NextDecisionPreview | null> {
    const { rows } = await this.pool.query<{ id: string | null; status: string | null }>(
      `SELECT e.id, e.status FROM checkouts c LEFT JOIN enrollments e ON e.checkout_id = c.id WHERE c.id = $1`,
      [checkoutId],
    );
    if (rows.length === 0) return null;
    const enrollment = rows[0];
    if (!enrollment.id) return { available: false, reason: 'the checkout is in no campaign' };
    if (enrollment.status !== 'active') return { available: false, reason: `the enrollment has ended (${enrollment.status})` };
    const now = this.clock.now();
    const client = await this.pool.connect();
    try {
      const loaded = await loadPlannerInput(client, enrollment.id, now, this.config.campaignTimeScale, disabledChannels(this.config));
      if (!loaded) return { available: false, reason: 'the enrollment has ended' };
      const planned = planNextMessage(loaded.input);
      if (planned.kind !== 'send') return { available: false, reason: `no next message: ${planned.reason.replace(/_/g, ' ')}` };
      const variant = loaded.facts.variants.find((v) => v.stepIndex === planned.stepIndex)?.name ?? null;
      const step = stepWithVariant(loaded.input.campaign.steps[planned.stepIndex], variant);
      const { decision } = await this.policy.preview(loaded, planned.stepIndex, now, step);
      const scored = new Map(decision.scores.map((s) => [`${s.action.channel}:${s.action.discountPct}`, s]));
      const candidates = decision.candidates
        .map((action) => {
          const score = scored.get(`${action.channel}:${action.discountPct}`);
          return { action, probability: score?.probability ?? null, expectedMargin: score?.expectedMargin ?? null };
        })
        .sort((a, b) => (b.expectedMargin ?? -Infinity) - (a.expectedMargin ?? -Infinity));
      return {
        available: true,
        stepIndex: planned.stepIndex,
        sendAt: planned.sendAt.toISOString(),
        variant,
        modelVersion: decision.modelVersion,
        action: decision.action,
        reason: decision.reason,
        rulesAction: decision.rulesAction,
        candidates,
      };
    } finally {
      client.release();
    }
  }
}
