import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

export interface SeedBatch {
  /** Prefix of the checkouts' external ids: `${tag}-${n}`. */
  tag: string;
  count: number;
  /** When the first message is due, and the spacing between due times. */
  firstDue: Date;
  spacingMs: number;
  timezone: string;
}

/**
 * Abandoned checkouts enrolled in a one-step email campaign, each with its email planned (no wake-up queued:
 * the caller or the reconciler does that): written in bulk,
 * straight to the tables, so that seeding 10 000 takes a second.
 */
export async function seedRecovery(pool: Pool, batch: SeedBatch): Promise<{ campaignId: string; sourceId: string; messages: Array<{ id: string; key: string; scheduledFor: Date }> }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const sourceId = (await client.query(`INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ($1, $2, 'x') RETURNING id`, [`seed ${batch.tag}`, randomUUID()])).rows[0].id;
    const campaignId = (
      await client.query(`INSERT INTO campaigns (name, priority, steps, frequency_cap) VALUES ($1, 1, $2, $3) RETURNING id`, [
        `seed ${batch.tag}`,
        JSON.stringify([{ delayMinutes: 0, channels: ['email'], templates: { email: 'reminder-email' } }]),
        { maxMessages: 1000, windowHours: 1, minGapHours: 0 },
      ])
    ).rows[0].id;
    await client.query(
      `CREATE TEMP TABLE seed ON COMMIT DROP AS
         SELECT i, gen_random_uuid() AS customer, gen_random_uuid() AS checkout, gen_random_uuid() AS enrollment,
                $2::timestamptz + make_interval(secs => (i - 1) * $3::float8 / 1000) AS due
           FROM generate_series(1, $1::int) AS i`,
      [batch.count, batch.firstDue, batch.spacingMs],
    );
    await client.query(
      `INSERT INTO customers (id, email, timezone, first_seen_at, last_seen_at)
       SELECT customer, $1 || '-' || i || '@example.com', $2, now(), now() FROM seed`,
      [batch.tag, batch.timezone],
    );
    await client.query(
      `INSERT INTO checkouts (id, external_id, source_id, customer_id, status, stage, email, cart, cart_value, currency, item_count,
                             first_activity_at, last_activity_at, abandoned_at)
       SELECT checkout, $1 || '-' || i, $2, customer, 'abandoned', 'contact', $1 || '-' || i || '@example.com',
              '{"items":[{"sku":"S","name":"Wool scarf","quantity":1,"unit_price":30,"image_url":"https://cdn.shop.example/scarf.jpg"}],"value":30,"currency":"EUR"}'::jsonb,
              30, 'EUR', 1, now(), now(), now()
         FROM seed`,
      [batch.tag, sourceId],
    );
    await client.query(`INSERT INTO checkout_aliases (kind, value, checkout_id) SELECT 'checkout', $1 || '-' || i, checkout FROM seed`, [batch.tag]);
    await client.query(`INSERT INTO enrollments (id, checkout_id, campaign_id, customer_id, abandoned_at) SELECT enrollment, checkout, $1, customer, now() FROM seed`, [campaignId]);
    const { rows } = await client.query<{ id: string; key: string; scheduled_for: Date }>(
      `INSERT INTO messages (key, enrollment_id, checkout_id, customer_id, campaign_id, step_index, channel, scheduled_for)
       SELECT enrollment || '.0.email', enrollment, checkout, customer, $1, 0, 'email', due FROM seed RETURNING id, key, scheduled_for`,
      [campaignId],
    );
    await client.query('COMMIT');
    return { campaignId, sourceId, messages: rows.map((r) => ({ id: r.id, key: r.key, scheduledFor: r.scheduled_for })) };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
