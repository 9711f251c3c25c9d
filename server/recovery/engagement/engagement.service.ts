import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import type { ChannelKind } from '../../../campaigns/types';
import { CLOCK, Clock } from '../../common/clock';
import { PG_POOL } from '../../database/database';
import { OptOutService } from '../consent/opt-out.service';
import type { CartSnapshot } from '../../../models/checkouts';
import { LANDING_FACTS_SQL, landingUrlOf } from '../links/landing-url';
import type { SignedLinks } from '../links/signed-links';

export type Engagement = 'opened' | 'clicked';

/** Records what shoppers do with recovery messages; an order after an engagement is credited to it. */
@Injectable()
export class EngagementService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly optOut: OptOutService,
  ) {}

  /** A click implies the message was opened. Only the first open and click set the message's columns. */
  async record(messageId: string, kind: Engagement, detail: Record<string, unknown> = {}): Promise<boolean> {
    const now = this.clock.now();
    const { rowCount } = await this.pool.query(
      `WITH touched AS (
         UPDATE messages SET opened_at = coalesce(opened_at, $2),
                             clicked_at = CASE WHEN $3 = 'clicked' THEN coalesce(clicked_at, $2) ELSE clicked_at END,
                             updated_at = now()
          WHERE id = $1 RETURNING id)
       INSERT INTO message_engagements (message_id, kind, at, detail) SELECT id, $3, $2, $4 FROM touched`,
      [messageId, now, kind, JSON.stringify(detail)],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Where a short (SMS) link leads: the message's checkout page; null for an unknown message. */
  async resumeUrl(messageId: string, links: SignedLinks, ttlHours: number): Promise<string | null> {
    const { rows } = await this.pool.query<{ checkout_id: string; customer_id: string | null; cart: CartSnapshot | null }>(LANDING_FACTS_SQL, [messageId]);
    const row = rows[0];
    return row ? landingUrlOf(links, { checkoutId: row.checkout_id, messageId, customerId: row.customer_id, cart: row.cart }, this.clock.now(), ttlHours) : null;
  }

  /** One-click unsubscribe from a message's channel: consent withdrawn and pending messages cancelled at once. */
  async unsubscribe(messageId: string, channel: ChannelKind): Promise<boolean> {
    const { rows } = await this.pool.query<{ customer_id: string | null }>('SELECT customer_id FROM messages WHERE id = $1', [messageId]);
    const customerId = rows[0]?.customer_id;
    if (!customerId) return false;
    const now = this.clock.now();
    await this.optOut.optOutCustomer(customerId, { channel, at: now, by: `unsubscribe:${messageId}` });
    await this.pool.query(`INSERT INTO message_engagements (message_id, kind, at, detail) VALUES ($1, 'unsubscribed', $2, $3)`, [
      messageId,
      now,
      JSON.stringify({ channel }),
    ]);
    return true;
  }
}
