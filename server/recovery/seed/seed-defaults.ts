import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { DEFAULT_CAMPAIGN, type SeededCampaignSettings, upgradedDefaultCampaign } from '../../../campaigns/default-campaign';
import { PG_POOL } from '../../database/database';
import { inTransaction } from '../../database/transaction';
import { DEFAULT_TEMPLATES } from '../templates';

const SEED_LOCK = 4_242_002;

/**
 * On every start: the default templates that are missing, and the default campaign when no campaign
 * exists yet (so a store that deleted or changed it is left alone), or the current seed in place of an
 * earlier seed nobody edited. Replicas starting together take turns.
 */
@Injectable()
export class SeedDefaults implements OnApplicationBootstrap {
  private readonly logger = new Logger(SeedDefaults.name);

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async onApplicationBootstrap() {
    await inTransaction(this.pool, async ({ client }) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
      for (const t of DEFAULT_TEMPLATES) {
        await client.query('INSERT INTO templates (key, channel, name, subject, html, text) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING', [
          t.key,
          t.channel,
          t.name,
          t.subject,
          t.html,
          t.text,
        ]);
      }
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM campaigns');
      if (rows[0].n > 0) return this.upgradeUntouchedSeed(client);
      const c = DEFAULT_CAMPAIGN;
      await client.query(
        `INSERT INTO campaigns (name, status, priority, trigger_idle_minutes, eligibility, steps, quiet_hours, frequency_cap, expiry_hours, attribution_window_hours, holdout_percent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [c.name, c.status, c.priority, c.triggerIdleMinutes, c.eligibility, JSON.stringify(c.steps), c.quietHours, c.frequencyCap, c.expiryHours, c.attributionWindowHours, c.holdoutPercent],
      );
      this.logger.log(`seeded the default campaign "${c.name}"`);
    });
  }

  /**
   * A campaign still exactly as an earlier seed left it (never edited, version 1) becomes the current seed, so
   * existing stores get the first reminder within the hour too; one a marketer touched is left alone. Recorded in
   * the audit log (actor `system`) so the change is visible in the console.
   */
  private async upgradeUntouchedSeed(client: PoolClient): Promise<void> {
    const { rows } = await client.query<SeededCampaignSettings & { id: string; version: number }>(
      `SELECT id, name, status, priority, trigger_idle_minutes AS "triggerIdleMinutes", eligibility, steps, quiet_hours AS "quietHours",
              frequency_cap AS "frequencyCap", expiry_hours AS "expiryHours", attribution_window_hours AS "attributionWindowHours",
              holdout_percent AS "holdoutPercent", version
         FROM campaigns WHERE version = 1 FOR UPDATE`,
    );
    for (const { id, ...stored } of rows) {
      const next = upgradedDefaultCampaign(stored);
      if (!next) continue;
      await client.query(`UPDATE campaigns SET steps = $2, frequency_cap = $3, quiet_hours = $4, version = version + 1, updated_at = now() WHERE id = $1`, [
        id,
        JSON.stringify(next.steps),
        next.frequencyCap,
        next.quietHours,
      ]);
      await client.query(`INSERT INTO audit_log (actor, action, resource, resource_id, before, after) VALUES ('system', 'upgrade_default', 'campaigns', $1, $2, $3)`, [
        id,
        { steps: stored.steps, frequencyCap: stored.frequencyCap, quietHours: stored.quietHours },
        { steps: next.steps, frequencyCap: next.frequencyCap, quietHours: next.quietHours },
      ]);
      this.logger.log(`moved the untouched default campaign "${stored.name}" to the current seed (first reminder within the hour by push, email or SMS)`);
    }
  }
}
