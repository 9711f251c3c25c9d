import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { Pool } from 'pg';
import { CLOCK, Clock } from '../../../common/clock';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { PG_POOL } from '../../../database/database';
import { inTransaction } from '../../../database/transaction';
import { customerRow } from '../../../ingestion/projection/customer-row';
import { mergeCustomerRows } from '../../../ingestion/projection/customer-merge';
import { stamp } from '../../../ingestion/projection/lww';
import { REDIS } from '../../../redis/redis.module';
import { OptOutService } from '../../consent/opt-out.service';
import { SMS_REPLIES, smsKeyword, twiml } from './sms-keywords';
import { param, TwilioParams } from './twilio-signature';

/** How long an inbound MessageSid is remembered: Twilio's retries of one webhook come within minutes. */
export const INBOUND_DEDUPE_TTL_S = 3 * 24 * 3600;

/** Consent statements written by texts to our number (and by Twilio's own 21610) have a `by` starting so. */
const TWILIO_BY = 'twilio:';

@Injectable()
export class TwilioWebhooksService {
  private readonly logger = new Logger('SmsChannel');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly optOut: OptOutService,
  ) {}

  /**
   * An SMS sent to our number: STOP-like keywords withdraw SMS consent (and cancel planned SMS) for every customer
   * with that phone; HELP answers with the program's terms; START reinstates what a text had withdrawn. Returns the
   * TwiML reply: one confirmation per MessageSid, however often Twilio delivers the webhook.
   */
  async inbound(params: TwilioParams): Promise<string> {
    const messageSid = param(params, 'MessageSid') ?? param(params, 'SmsSid');
    const from = param(params, 'From');
    const keyword = smsKeyword(param(params, 'Body'), param(params, 'OptOutType'));
    if (keyword === undefined || !from) return twiml();

    const dedupeKey = messageSid ? `${this.config.redisPrefix}:twilio:inbound:${messageSid}` : undefined;
    if (dedupeKey && !(await this.firstDelivery(dedupeKey))) return twiml();

    const at = this.clock.now();
    const by = `${TWILIO_BY}${messageSid ?? 'inbound'}`;
    try {
      if (keyword === 'stop') {
        const customers = await this.optOut.optOutPhone(from, { channel: 'sms', at, by });
        this.logger.log(`SMS opt-out by text (${messageSid}): consent withdrawn and planned SMS cancelled for ${customers} customer(s)`);
      } else if (keyword === 'start') {
        const restored = await this.resubscribe(from, at, by);
        this.logger.log(`SMS opt-in by text (${messageSid}): consent reinstated for ${restored} customer(s)`);
      }
    } catch (error) {
      // Forget the delivery so Twilio's retry of this webhook does the work (and confirms) then.
      if (dedupeKey) await this.redis.del(dedupeKey).catch(() => undefined);
      throw error;
    }
    return twiml(SMS_REPLIES[keyword]);
  }

  /**
   * START undoes a STOP, and nothing more. Consent withdrawn by a text to our number (or by Twilio reporting the
   * number unsubscribed, which means the same) is granted again, because the shopper asked for it and Twilio itself
   * lifts its block on START: refusing would leave the shopper told "resubscribed" while we never send. Consent
   * that the merchant withdrew, or never granted, stays as it is: that comes only from the merchant's own consent
   * events, since a reply to our number is no evidence of the checkout opt-in we need for reminders.
   * Returns how many customers were resubscribed.
   */
  private async resubscribe(phone: string, at: Date, by: string): Promise<number> {
    return inTransaction(this.pool, async (scope) => {
      const { rows } = await scope.client.query<{ id: string }>(
        `SELECT id FROM customers
          WHERE phone = $1 AND (consent->'sms'->>'granted') = 'false' AND starts_with(consent->'sms'->>'by', $2)
          ORDER BY id FOR UPDATE`,
        [phone, TWILIO_BY],
      );
      if (rows.length === 0) return 0;
      const time = at.getTime();
      await mergeCustomerRows.run(
        scope.client,
        rows.map((r) => customerRow(r.id, null, { consent: { sms: stamp(true, time, by) }, firstSeenAt: time, lastSeenAt: time }, at)),
      );
      return rows.length;
    });
  }

  /** True the first time a key is seen; if Redis cannot say, the message is handled (a duplicate beats silence). */
  private async firstDelivery(key: string): Promise<boolean> {
    try {
      return (await this.redis.set(key, '1', 'EX', INBOUND_DEDUPE_TTL_S, 'NX')) === 'OK';
    } catch (error) {
      this.logger.warn(`could not check inbound SMS for a repeat delivery: ${(error as Error).message}`);
      return true;
    }
  }

  /**
   * A delivery report for a message we sent. `delivered` moves a `sending`/`sent` message to `delivered`;
   * `undelivered`/`failed` moves it to `failed` with the Twilio error code. A message already further along is never
   * moved back, and each change records one engagement. Unknown MessageSids and other statuses are ignored.
   */
  async status(params: TwilioParams): Promise<'delivered' | 'failed' | 'ignored'> {
    const sid = param(params, 'MessageSid') ?? param(params, 'SmsSid');
    const status = (param(params, 'MessageStatus') ?? param(params, 'SmsStatus'))?.toLowerCase();
    if (!sid || !status) return 'ignored';
    const at = this.clock.now();
    if (status === 'delivered') {
      const { rowCount } = await this.pool.query(
        `WITH changed AS (
           UPDATE messages SET status = 'delivered', delivered_at = $2, updated_at = now()
            WHERE provider_message_id = $1 AND channel = 'sms' AND status IN ('sending', 'sent')
            RETURNING id)
         INSERT INTO message_engagements (message_id, kind, at, detail)
         SELECT id, 'delivered', $2, $3::jsonb FROM changed`,
        [sid, at, JSON.stringify({ provider: 'twilio', status })],
      );
      return rowCount ? 'delivered' : 'ignored';
    }
    if (status === 'undelivered' || status === 'failed') {
      const errorCode = param(params, 'ErrorCode')?.trim() || undefined;
      const { rowCount } = await this.pool.query(
        `WITH changed AS (
           UPDATE messages SET status = 'failed', error = $3, updated_at = now()
            WHERE provider_message_id = $1 AND channel = 'sms' AND status IN ('sending', 'sent')
            RETURNING id)
         INSERT INTO message_engagements (message_id, kind, at, detail)
         SELECT id, 'failed', $2, $4::jsonb FROM changed`,
        [sid, at, `twilio ${errorCode ?? status}`, JSON.stringify({ provider: 'twilio', status, errorCode: errorCode ?? null })],
      );
      return rowCount ? 'failed' : 'ignored';
    }
    return 'ignored';
  }
}
