import { Injectable } from '@nestjs/common';
import { and, asc, eq, isNull, or, SQL } from 'drizzle-orm';
import { percentRange, type DiscountRule, type OfferType, type PreviousOffer } from '../../campaigns/discount-rules';
import { discountCodes } from '../../models';
import type { Database, Transaction } from '../database/database';
import { generateDiscountCode } from './discount-code-generator';

/** Where the statements run: the app's database, or a caller's transaction (the engine issues codes inside its own). */
export type DbExecutor = Database | Transaction;

export interface IssueCodeRequest {
  sourceId: string;
  /** Our checkout id the code is bound to (at least one of checkout and customer). */
  checkoutId: string | null;
  customerId: string | null;
  rule: DiscountRule;
  /** Percent offers: the percent chosen (a level from `allowedPercents`); null takes the rule's default. Ignored by other offers. */
  percent: number | null;
  /** The recovery message that will carry the code. */
  messageId?: string | null;
  now: Date;
}

export interface IssuedCode {
  code: string;
  expiresAt: Date;
  type: OfferType;
  /** Percent offers only. */
  percent: number | null;
  /** Fixed-amount offers only. */
  amount: number | null;
  maxDiscountValue: number | null;
}

const HOUR_MS = 3_600_000;
const INSERT_ATTEMPTS = 5;

const num = (value: string | null): number | null => (value === null ? null : Number(value));

/** Issues single-use codes for a rule's offer, and answers which offers a shopper already had. */
@Injectable()
export class DiscountCodeService {
  /**
   * Issues one code, copying the offer from the rule (later edits of the rule leave it alone). Throws on a
   * request no caller should make: no checkout and no customer, or a percent outside the rule's range.
   */
  async issue(executor: DbExecutor, request: IssueCodeRequest): Promise<IssuedCode> {
    const { rule, now } = request;
    if (!request.checkoutId && !request.customerId) throw new Error('a discount code must be bound to a checkout or a customer');
    const offer = rule.offer;
    const percent = offer.type === 'percent' ? (request.percent ?? offer.amount) : null;
    if (percent !== null) {
      const { max } = percentRange(offer);
      if (!(percent > 0 && percent <= max)) throw new RangeError(`rule ${rule.id} allows percents above 0 up to ${max}, not ${percent}`);
    }
    const issued: Omit<IssuedCode, 'code'> = {
      expiresAt: new Date(now.getTime() + offer.expiryHours * HOUR_MS),
      type: offer.type,
      percent,
      amount: offer.type === 'fixed_amount' ? offer.amount : null,
      maxDiscountValue: offer.maxDiscountValue ?? null,
    };
    for (let attempt = 1; attempt <= INSERT_ATTEMPTS; attempt++) {
      const code = generateDiscountCode();
      // 60 random bits make a clash all but impossible; if one happens, draw again (DO NOTHING keeps the transaction usable).
      const inserted = await executor
        .insert(discountCodes)
        .values({
          code,
          sourceId: request.sourceId,
          ruleId: rule.id,
          checkoutId: request.checkoutId,
          customerId: request.customerId,
          messageId: request.messageId ?? null,
          type: issued.type,
          percent: issued.percent === null ? null : String(issued.percent),
          amount: issued.amount === null ? null : String(issued.amount),
          maxDiscountValue: issued.maxDiscountValue === null ? null : String(issued.maxDiscountValue),
          issuedAt: now,
          expiresAt: issued.expiresAt,
        })
        .onConflictDoNothing({ target: discountCodes.code })
        .returning({ code: discountCodes.code });
      if (inserted.length === 1) return { code, ...issued };
    }
    throw new Error(`could not draw an unused discount code in ${INSERT_ATTEMPTS} attempts`);
  }

  /** The offers made before to this customer or for this checkout (every code issued, used or not), oldest first. */
  async previousOffers(executor: DbExecutor, shopper: { customerId?: string | null; checkoutId?: string | null }): Promise<PreviousOffer[]> {
    const matches: SQL[] = [];
    if (shopper.customerId) matches.push(eq(discountCodes.customerId, shopper.customerId));
    if (shopper.checkoutId) matches.push(eq(discountCodes.checkoutId, shopper.checkoutId));
    if (matches.length === 0) return [];
    const rows = await executor
      .select({ type: discountCodes.type, percent: discountCodes.percent })
      .from(discountCodes)
      .where(or(...matches))
      .orderBy(asc(discountCodes.issuedAt), asc(discountCodes.code));
    return rows.map((r) => ({ type: r.type, percent: num(r.percent) ?? 0 }));
  }

  /** Withdraws an unused code of a source: it is refused as `disabled` from then on. False when there is no such unused code. */
  async revoke(executor: DbExecutor, sourceId: string, code: string, now: Date): Promise<boolean> {
    const rows = await executor
      .update(discountCodes)
      .set({ revokedAt: now })
      .where(and(eq(discountCodes.code, code), eq(discountCodes.sourceId, sourceId), isNull(discountCodes.redeemedAt), isNull(discountCodes.revokedAt)))
      .returning({ code: discountCodes.code });
    return rows.length === 1;
  }
}
