import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { chooseCampaign } from '../../../campaigns/eligibility';
import { assignHoldout } from '../../../campaigns/experiments/holdout';
import type { CheckoutFacts } from '../../../campaigns/types';
import { campaigns, checkouts } from '../../../models';
import type { CampaignRow } from '../../../models/campaigns';
import type { EnrollmentAssignment } from '../../../models/recovery';
import type { ExperimentSettings } from '../../experiments/experiment-settings';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CLOCK, Clock } from '../../common/clock';
import { PG_POOL } from '../../database/database';
import { TableRows } from '../../database/table-rows';
import { inTransaction } from '../../database/transaction';
import { campaignOf } from '../planning/campaign-mapping';
import { Planning, PLANNING, planNext } from '../planning/next-message';
import { MessageScheduler, ScheduledMessage } from '../scheduling/message-scheduler';
import { abandonmentSignals } from './abandonment-signals';

const checkoutRows = new TableRows(checkouts);
const campaignRows = new TableRows(campaigns);

export type AbandonOutcome = 'abandoned' | 'enrolled' | 'not_idle' | 'not_active' | 'waiting_for_trigger';

/**
 * Marks one idle checkout abandoned, records why, enrolls it in the first eligible campaign and plans
 * its first message, all in one transaction; the wake-up is queued after commit. Safe to run twice.
 */
@Injectable()
export class AbandonCheckout {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PLANNING) private readonly planning: Planning,
    private readonly scheduler: MessageScheduler,
  ) {}

  async run(checkoutId: string): Promise<AbandonOutcome> {
    const now = this.clock.now();
    const scale = this.config.campaignTimeScale;
    const scheduled: ScheduledMessage[] = [];
    const outcome = await inTransaction(this.pool, async ({ client }): Promise<AbandonOutcome> => {
      const [checkout] = await checkoutRows.lockByIds(client, [checkoutId]);
      if (!checkout || checkout.status !== 'active') return 'not_active';
      const { rows: orders } = await client.query<{ n: number; user_id: string | null; email: string | null; experiments: ExperimentSettings }>(
        `SELECT (SELECT count(*)::int FROM orders o WHERE o.customer_id = c.customer_id) AS n, cu.user_id, coalesce(c.email, cu.email) AS email,
                (SELECT value FROM settings WHERE key = 'experiments') AS experiments
           FROM checkouts c LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.id = $1`,
        [checkoutId],
      );
      const idleMs = now.getTime() - checkout.lastActivityAt.getTime();
      const facts: CheckoutFacts = {
        id: checkout.id,
        cartValue: Number(checkout.cartValue ?? 0),
        stage: checkout.stage,
        status: 'active',
        abandonedAt: now,
        isNewCustomer: orders[0].n === 0,
      };
      const { rows: campaignList } = await client.query<CampaignRow>({
        name: 'active_campaigns',
        text: `SELECT ${campaignRows.columnList} FROM campaigns WHERE status = 'active' ORDER BY priority, id`,
      });
      const active = campaignList.map(campaignOf);
      const campaign = chooseCampaign(active, facts);
      const triggerMs = (campaign?.triggerIdleMinutes ?? 30) * 60_000 * scale;
      if (idleMs < triggerMs) return campaign ? 'waiting_for_trigger' : 'not_idle';

      // Abandoned the moment the trigger was crossed, not when a sweep happened to notice.
      const abandonedAt = new Date(checkout.lastActivityAt.getTime() + triggerMs);
      await client.query(`UPDATE checkouts SET status = 'abandoned', abandoned_at = $2, abandonment = $3, updated_at = now() WHERE id = $1`, [
        checkoutId,
        abandonedAt,
        JSON.stringify(abandonmentSignals(checkout, now)),
      ]);
      if (!campaign) return 'abandoned';
      // Held out or not is drawn once, here, with the shares in force now, and never changes afterwards.
      const { experiments } = orders[0];
      if (!experiments) throw new Error('the experiment settings are missing from settings (migration 0008 creates them)');
      const shares = { globalPercent: experiments.globalHoldoutPercent, campaignPercent: campaign.holdoutPercent };
      const drawn = assignHoldout({
        secret: experiments.secret,
        campaignId: campaign.id,
        identity: { customerId: orders[0].user_id, email: orders[0].email, shopperId: checkout.customerId, checkoutId },
        shares,
      });
      const assignment: EnrollmentAssignment = { unit: drawn.unit, holdout: drawn.holdout, ...shares, period: experiments.period, positions: drawn.positions };
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO enrollments (checkout_id, campaign_id, customer_id, abandoned_at, arm, control_probability, assignment) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (checkout_id) DO NOTHING RETURNING id`,
        [checkoutId, campaign.id, checkout.customerId, abandonedAt, drawn.arm, drawn.controlProbability, JSON.stringify(assignment)],
      );
      if (rows.length === 0) return 'abandoned';
      const plan = await planNext(client, rows[0].id, now, this.planning);
      if (plan.message) scheduled.push(plan.message);
      scheduled.push(...(plan.moved ?? []));
      return 'enrolled';
    });
    await this.scheduler.schedule(scheduled);
    return outcome;
  }
}
