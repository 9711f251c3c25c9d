import { Injectable, Logger } from '@nestjs/common';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { PoolClient } from 'pg';
import type { OfferType } from '../../../campaigns/discount-rules';
import type { Database } from '../../database/database';
import { DiscountCodeService } from '../../discounts/discount-code.service';
import { DiscountRulesSnapshot } from '../../ml/discount-rules-snapshot';
import { formatMoney } from '../templates/template-context';
import type { StoredPolicyDecision } from '../planning/step-policy';

export interface MessageOffer {
  code: string;
  description: string;
  expiresAt: Date;
}

export interface OfferRequest {
  messageId: string;
  sourceId: string;
  checkoutId: string;
  customerId: string | null;
  policy: Pick<StoredPolicyDecision, 'action' | 'discountRuleId'> | null;
  currency: string;
  locale: string | null;
  now: Date;
}

/**
 * The discount a message carries, when its decision chose one: a single-use code issued for the message
 * (bound to the checkout and the customer) the first time it is composed, and the same code on a retry.
 */
@Injectable()
export class MessageOffers {
  private readonly logger = new Logger(MessageOffers.name);

  constructor(
    private readonly codes: DiscountCodeService,
    private readonly rules: DiscountRulesSnapshot,
  ) {}

  async offerFor(client: PoolClient, request: OfferRequest): Promise<MessageOffer | null> {
    const percent = request.policy?.action.discountPct ?? 0;
    const ruleId = request.policy?.discountRuleId;
    if (!(percent > 0) || !ruleId) return null;
    const { rows } = await client.query<{ code: string; expires_at: Date; type: OfferType; percent: string | null; amount: string | null }>(
      'SELECT code, expires_at, type, percent, amount FROM discount_codes WHERE message_id = $1 ORDER BY issued_at LIMIT 1',
      [request.messageId],
    );
    if (rows[0]) {
      const r = rows[0];
      return { code: r.code, expiresAt: r.expires_at, description: describe(r.type, Number(r.percent), Number(r.amount), request) };
    }
    const rule = (await this.rules.current()).find((r) => r.id === ruleId);
    if (!rule) {
      // Deleted since the decision: the reminder still goes, without the discount it can no longer honour.
      this.logger.warn(`message ${request.messageId}: discount rule ${ruleId} no longer exists; sending without an offer`);
      return null;
    }
    const issued = await this.codes.issue(drizzle(client) as unknown as Database, {
      sourceId: request.sourceId,
      checkoutId: request.checkoutId,
      customerId: request.customerId,
      rule,
      percent: rule.offer.type === 'percent' ? percent : null,
      messageId: request.messageId,
      now: request.now,
    });
    return { code: issued.code, expiresAt: issued.expiresAt, description: describe(issued.type, issued.percent ?? 0, issued.amount ?? 0, request) };
  }
}

function describe(type: OfferType, percent: number, amount: number, request: Pick<OfferRequest, 'currency' | 'locale'>): string {
  if (type === 'percent') return `${percent}% off`;
  if (type === 'fixed_amount') return `${formatMoney(amount, request.currency, request.locale)} off`;
  return 'free shipping';
}
