import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import { DEFAULT_CAMPAIGN } from '../../../campaigns/default-campaign';
import { PG_POOL } from '../../database/database';
import { inTransaction } from '../../database/transaction';
import { DEFAULT_TEMPLATES } from '../templates';

const SEED_LOCK = 4_242_002;

/**
 * On every start: the default templates that are missing, and the default campaign when no campaign
 * exists yet (so a store that deleted or changed it is left alone). Replicas starting together take turns.
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
      if (rows[0].n > 0) return;
      const c = DEFAULT_CAMPAIGN;
      await client.query(
        `INSERT INTO campaigns (name, status, priority, trigger_idle_minutes, eligibility, steps, quiet_hours, frequency_cap, expiry_hours, attribution_window_hours, holdout_percent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [c.name, c.status, c.priority, c.triggerIdleMinutes, c.eligibility, JSON.stringify(c.steps), c.quietHours, c.frequencyCap, c.expiryHours, c.attributionWindowHours, c.holdoutPercent],
      );
      this.logger.log(`seeded the default campaign "${c.name}"`);
    });
  }
}
