import { Body, Controller, HttpCode, HttpException, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CLOCK, Clock } from '../common/clock';
import { IngestGateway } from '../ingestion/ingest-gateway';
import { parseDiscountRequest, redeemRequestSchema, validateRequestSchema } from './discount-request-schema';
import { DiscountRedemptionService, RedeemedCode, ValidateResult } from './discount-redemption.service';
import { SourceRateLimit } from '../common/source-rate-limit';

/**
 * `POST /v1/discounts/validate` and `/redeem`, for the checkout and the merchant's platform, with the source's
 * write key. A refused validation is an answer, not an error: 200 `{ valid: false, reason, message }`.
 * A refused redemption is: 409 when the code was used by another order, 422 otherwise. Validations are
 * limited per source (429 with `Retry-After`).
 */
@Controller('v1/discounts')
export class DiscountsController {
  constructor(
    private readonly gateway: IngestGateway,
    private readonly redemptions: DiscountRedemptionService,
    private readonly rateLimit: SourceRateLimit,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('validate')
  @HttpCode(200)
  async validate(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<ValidateResult> {
    const source = await this.gateway.admit(request, reply, body);
    const input = parseDiscountRequest(validateRequestSchema, body);
    const now = this.clock.now();
    const rate = await this.rateLimit.take(source.id, now);
    if (!rate.allowed) {
      void reply.header('Retry-After', String(rate.retryAfterSeconds));
      throw new HttpException({ error: 'too_many_requests', message: `too many validations for this source; retry in ${rate.retryAfterSeconds} s` }, 429);
    }
    return this.redemptions.validate(source.id, input, now);
  }

  @Post('redeem')
  @HttpCode(200)
  async redeem(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<RedeemedCode | { redeemed: false; reason: string; message: string }> {
    const source = await this.gateway.admit(request, reply, body);
    const input = parseDiscountRequest(redeemRequestSchema, body);
    const result = await this.redemptions.redeem(source.id, input, this.clock.now());
    if (result.ok) return result.redemption;
    void reply.status(result.refusal.reason === 'redeemed' ? 409 : 422);
    return { redeemed: false, ...result.refusal };
  }
}
