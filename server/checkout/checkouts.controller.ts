import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest, parseBody } from '../http/resource-http';
import { jsonBody } from './json-body';
import { validAddressOrThrow } from './profiles/profile-input';
import { CheckoutCompletionService } from './completion/checkout-completion.service';
import { idempotencyKeyOf } from './completion/idempotency';
import { completeSchema, contactSchema, createCheckoutSchema, discountSchema, paymentMethodChoiceSchema, shippingAddressSchema, shippingMethodSchema } from './sessions/checkout-input';
import { CheckoutSessionsService } from './sessions/checkout-sessions.service';
import { sessionView } from './sessions/session-view';
import { StorefrontGateway } from './storefront-gateway';

const PUBLIC_ID = /^co_[0-9a-f]{32}$/;

function checkoutParam(id: string): string {
  if (!PUBLIC_ID.test(id)) throw invalidRequest([{ path: 'id', message: 'must be a checkout id as POST /v1/checkouts returned it (co_ and 32 hex digits)' }]);
  return id;
}

/**
 * The checkout API for the storefront's back end (`Authorization: Bearer sk_...`): create from a cart, set
 * contact, address, shipping and card, apply a code, read totals, and complete — one click with the profile's
 * defaults. Each step is recorded as the same event the ingestion routes record.
 */
@Controller('v1/checkouts')
export class CheckoutsController {
  constructor(
    private readonly gateway: StorefrontGateway,
    private readonly sessions: CheckoutSessionsService,
    private readonly completion: CheckoutCompletionService,
  ) {}

  @Post()
  async create(@Req() request: FastifyRequest, @Body() body: unknown) {
    const source = await this.gateway.admit(request);
    return sessionView(await this.sessions.create(source.id, parseBody(createCheckoutSchema, jsonBody(body))));
  }

  @Get(':id')
  async get(@Req() request: FastifyRequest, @Param('id') id: string) {
    const source = await this.gateway.admit(request);
    return sessionView(await this.sessions.details(source.id, checkoutParam(id)));
  }

  @Put(':id/contact')
  async contact(@Req() request: FastifyRequest, @Param('id') id: string, @Body() body: unknown) {
    const source = await this.gateway.admit(request);
    return sessionView(await this.sessions.setContact(source.id, checkoutParam(id), parseBody(contactSchema, jsonBody(body))));
  }

  @Put(':id/shipping-address')
  async shippingAddress(@Req() request: FastifyRequest, @Param('id') id: string, @Body() body: unknown) {
    const source = await this.gateway.admit(request);
    const input = parseBody(shippingAddressSchema, jsonBody(body));
    const address = input.address === undefined ? undefined : validAddressOrThrow(input.address);
    return sessionView(await this.sessions.setShippingAddress(source.id, checkoutParam(id), { address, savedAddressId: input.saved_address_id }));
  }

  @Put(':id/shipping-method')
  async shippingMethod(@Req() request: FastifyRequest, @Param('id') id: string, @Body() body: unknown) {
    const source = await this.gateway.admit(request);
    return sessionView(await this.sessions.setShippingMethod(source.id, checkoutParam(id), parseBody(shippingMethodSchema, jsonBody(body))));
  }

  @Put(':id/payment-method')
  async paymentMethod(@Req() request: FastifyRequest, @Param('id') id: string, @Body() body: unknown) {
    const source = await this.gateway.admit(request);
    return sessionView(await this.sessions.setPaymentMethod(source.id, checkoutParam(id), parseBody(paymentMethodChoiceSchema, jsonBody(body)).payment_method_id));
  }

  @Put(':id/discount')
  async discount(@Req() request: FastifyRequest, @Param('id') id: string, @Body() body: unknown) {
    const source = await this.gateway.admit(request);
    return sessionView(await this.sessions.applyDiscount(source.id, checkoutParam(id), parseBody(discountSchema, jsonBody(body)).code));
  }

  @Delete(':id/discount')
  async removeDiscount(@Req() request: FastifyRequest, @Param('id') id: string) {
    const source = await this.gateway.admit(request);
    return sessionView(await this.sessions.removeDiscount(source.id, checkoutParam(id)));
  }

  /** One click: what the body leaves out comes from the checkout, then the customer's saved defaults. */
  @Post(':id/complete')
  @HttpCode(200)
  async complete(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Param('id') id: string, @Headers('idempotency-key') key: string | undefined, @Body() body: unknown) {
    const source = await this.gateway.admit(request);
    const publicId = checkoutParam(id);
    const idempotencyKey = idempotencyKeyOf(key);
    const input = parseBody(completeSchema, jsonBody(body, true));
    const answer = await this.completion.complete(source.id, publicId, input, idempotencyKey);
    void reply.status(answer.status);
    return answer.body;
  }
}
