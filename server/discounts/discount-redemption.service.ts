import { Inject, Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { Pool } from 'pg';
import { DiscountCodeRow, discountCodes, DiscountRedemption } from '../../models';
import { Database, DATABASE, PG_POOL } from '../database/database';
import { inTransaction } from '../database/transaction';
import { codeDiscountValue, codeRefusal, CodeRefusalReason, CodeState, REFUSAL_MESSAGES } from './code-verdict';
import type { DbExecutor } from './discount-code.service';
import type { RedeemRequest, ValidateRequest } from './discount-request-schema';
import { lookUpShopper } from './shopper-lookup';

export interface CodeRefusal {
  reason: CodeRefusalReason;
  message: string;
}

/** What the code gives: `percent` on percent codes, `amount` on fixed-amount codes. */
interface OfferFields {
  code: string;
  type: CodeState['type'];
  percent?: number;
  amount?: number;
  maxDiscountValue?: number;
}

export type ValidateResult =
  | ({ valid: true } & OfferFields & { discountValue: number | null; expiresAt: string })
  | ({ valid: false } & CodeRefusal);

export type RedeemedCode = { redeemed: true } & OfferFields & { orderId: string; cartValue: number | null; discountValue: number | null; redeemedAt: string };

export type RedeemResult = { ok: true; redemption: RedeemedCode } | { ok: false; refusal: CodeRefusal };

const num = (value: string | null): number | null => (value === null ? null : Number(value));

function stateOf(row: DiscountCodeRow): CodeState {
  return { ...row, percent: num(row.percent), amount: num(row.amount), maxDiscountValue: num(row.maxDiscountValue) };
}

function offerFields(code: CodeState & { code: string }): OfferFields {
  return {
    code: code.code,
    type: code.type,
    ...(code.percent !== null ? { percent: code.percent } : {}),
    ...(code.amount !== null ? { amount: code.amount } : {}),
    ...(code.maxDiscountValue !== null ? { maxDiscountValue: code.maxDiscountValue } : {}),
  };
}

const refusal = (reason: CodeRefusalReason): CodeRefusal => ({ reason, message: REFUSAL_MESSAGES[reason] });

/** Checks and redeems codes for the storefront and the merchant's platform. */
@Injectable()
export class DiscountRedemptionService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  /** May this shopper use the code now, and what is it worth on their cart? Changes nothing. */
  async validate(sourceId: string, request: ValidateRequest, now: Date): Promise<ValidateResult> {
    const [row] = await this.db.select().from(discountCodes).where(eq(discountCodes.code, request.code));
    const shopper = await lookUpShopper(this.db, sourceId, request);
    const code = row ? { ...stateOf(row), code: row.code } : null;
    const reason = codeRefusal(code, sourceId, shopper, now);
    if (reason !== null || code === null) return { valid: false, ...refusal(reason ?? 'unknown') };
    return {
      valid: true,
      ...offerFields(code),
      discountValue: codeDiscountValue(code, request.cartValue, request.shippingValue),
      expiresAt: code.expiresAt.toISOString(),
    };
  }

  /**
   * Uses the code for an order, once: the code's row is locked, so of concurrent redemptions exactly one wins.
   * The same order redeeming again gets the first answer unchanged; another order is refused as `redeemed`.
   */
  redeem(sourceId: string, request: RedeemRequest, now: Date): Promise<RedeemResult> {
    return inTransaction(this.pool, ({ db }) => redeemWithin(db, sourceId, request, now));
  }
}

/** `redeem` inside the caller's transaction (the checkout's completion redeems its code with the order). */
export async function redeemWithin(db: DbExecutor, sourceId: string, request: RedeemRequest, now: Date): Promise<RedeemResult> {
  const [row] = await db.select().from(discountCodes).where(eq(discountCodes.code, request.code)).for('update');
  const shopper = await lookUpShopper(db, sourceId, request);
  const code = row ? { ...stateOf(row), code: row.code } : null;
  const reason = codeRefusal(code, sourceId, shopper, now);
  if (code === null || row === undefined) return { ok: false, refusal: refusal('unknown') };
  if (reason === 'redeemed' && code.redeemedOrderId === request.orderId && row.redemption) {
    return { ok: true, redemption: redeemedCode(code, row.redemption) };
  }
  if (reason !== null) return { ok: false, refusal: refusal(reason) };
  const redemption: DiscountRedemption = {
    orderId: request.orderId,
    cartValue: request.cartValue ?? null,
    discountValue: codeDiscountValue(code, request.cartValue, request.shippingValue),
    redeemedAt: now.toISOString(),
  };
  await markRedeemed(db, row.id, redemption, now);
  return { ok: true, redemption: redeemedCode(code, redemption) };
}

function redeemedCode(code: CodeState & { code: string }, redemption: DiscountRedemption): RedeemedCode {
  return { redeemed: true, ...offerFields(code), ...redemption };
}

async function markRedeemed(db: DbExecutor, id: string, redemption: DiscountRedemption, now: Date) {
  await db.update(discountCodes).set({ redeemedAt: now, redeemedOrderId: redemption.orderId, redemption }).where(eq(discountCodes.id, id));
}
