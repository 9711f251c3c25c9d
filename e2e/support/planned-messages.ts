import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { daytimeZone } from './daytime-zone';

/**
 * Abandoned checkouts, each enrolled in a one-step email campaign with its email planned at `dueAt`:
 * the state the engine is in just before it sends, written straight to the database.
 */
export async function seedPlannedEmails(pool: Pool, count: number, dueAt: Date): Promise<Array<{ messageId: string; key: string; email: string }>> {
  const source = (await pool.query(`INSERT INTO sources (name, write_key_hash, write_key_prefix) VALUES ('seed', $1, 'x') RETURNING id`, [randomUUID()])).rows[0].id;
  const campaign = (
    await pool.query(`INSERT INTO campaigns (name, priority, steps, frequency_cap) VALUES ('seeded', 1, $1, $2) RETURNING id`, [
      JSON.stringify([{ delayMinutes: 0, channels: ['email'], templates: { email: 'reminder-email' } }]),
      { maxMessages: 1000, windowHours: 1, minGapHours: 0 },
    ])
  ).rows[0].id;
  const zone = daytimeZone();
  const seeded = [];
  for (let i = 0; i < count; i++) {
    const customer = randomUUID();
    const checkout = randomUUID();
    const enrollment = randomUUID();
    const email = `seeded-${i}-${customer.slice(0, 8)}@example.com`;
    await pool.query(`INSERT INTO customers (id, email, timezone, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`, [customer, email, zone, dueAt]);
    await pool.query(
      `INSERT INTO checkouts (id, external_id, source_id, customer_id, status, stage, email, cart, cart_value, currency, item_count, first_activity_at, last_activity_at, abandoned_at)
       VALUES ($1, $2, $3, $4, 'abandoned', 'contact', $5, $6, 30, 'EUR', 1, $7, $7, $7)`,
      [checkout, `seeded-${checkout}`, source, customer, email, { items: [{ sku: 'S', name: 'Scarf', quantity: 1, unit_price: 30 }], value: 30, currency: 'EUR' }, dueAt],
    );
    await pool.query(`INSERT INTO enrollments (id, checkout_id, campaign_id, customer_id, abandoned_at) VALUES ($1, $2, $3, $4, $5)`, [enrollment, checkout, campaign, customer, dueAt]);
    const key = `${enrollment}.0.email`;
    const messageId = (
      await pool.query(
        `INSERT INTO messages (key, enrollment_id, checkout_id, customer_id, campaign_id, step_index, channel, scheduled_for) VALUES ($1, $2, $3, $4, $5, 0, 'email', $6) RETURNING id`,
        [key, enrollment, checkout, customer, campaign, dueAt],
      )
    ).rows[0].id;
    seeded.push({ messageId, key, email });
  }
  return seeded;
}
