import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { invalidRequest, notFound, parseBody, uuidParam } from '../../http/resource-http';
import { jsonBody } from '../json-body';
import { customerRefParam, StorefrontGateway } from '../storefront-gateway';
import { addressChangeSchema, newAddressSchema, newPaymentMethodSchema, paymentMethodChangeSchema, validAddressOrThrow } from './profile-input';
import { addressView, paymentMethodView } from './profile-views';
import { ProfileOwner, ProfilesService } from './profiles.service';

/**
 * A shopper's saved addresses and cards, for the storefront's back end: `Authorization: Bearer sk_...` and the
 * merchant's customer id in the path. Rows of another customer or another source are "not found".
 */
@Controller('v1/customers/:customerId')
export class ProfilesController {
  constructor(
    private readonly gateway: StorefrontGateway,
    private readonly profiles: ProfilesService,
  ) {}

  private async owner(request: FastifyRequest, customerId: string): Promise<ProfileOwner> {
    const source = await this.gateway.admit(request);
    return { sourceId: source.id, customerRef: customerRefParam(customerId) };
  }

  @Get('profile')
  async profile(@Req() request: FastifyRequest, @Param('customerId') customerId: string) {
    const owner = await this.owner(request, customerId);
    const [addresses, cards] = await Promise.all([this.profiles.listAddresses(owner), this.profiles.listPaymentMethods(owner)]);
    return {
      customer_id: owner.customerRef,
      addresses: addresses.map(addressView),
      payment_methods: cards.map(paymentMethodView),
      default_address_id: addresses.find((a) => a.isDefault)?.id ?? null,
      default_payment_method_id: cards.find((c) => c.isDefault)?.id ?? null,
    };
  }

  @Get('addresses')
  async addresses(@Req() request: FastifyRequest, @Param('customerId') customerId: string) {
    return { data: (await this.profiles.listAddresses(await this.owner(request, customerId))).map(addressView) };
  }

  @Post('addresses')
  async addAddress(@Req() request: FastifyRequest, @Param('customerId') customerId: string, @Body() body: unknown) {
    const owner = await this.owner(request, customerId);
    const input = parseBody(newAddressSchema, jsonBody(body));
    const address = validAddressOrThrow(input.address);
    return addressView(await this.profiles.addAddress(owner, { label: input.label, address, isDefault: input.is_default }));
  }

  @Get('addresses/:id')
  async address(@Req() request: FastifyRequest, @Param('customerId') customerId: string, @Param('id') id: string) {
    const row = await this.profiles.address(await this.owner(request, customerId), uuidParam(id));
    if (!row) throw notFound('saved address', id);
    return addressView(row);
  }

  @Patch('addresses/:id')
  async updateAddress(@Req() request: FastifyRequest, @Param('customerId') customerId: string, @Param('id') id: string, @Body() body: unknown) {
    const owner = await this.owner(request, customerId);
    const input = parseBody(addressChangeSchema, jsonBody(body));
    if (input.is_default === false) throw notDefaultByFalse();
    const address = input.address === undefined ? undefined : validAddressOrThrow(input.address);
    return addressView(await this.profiles.updateAddress(owner, uuidParam(id), { label: input.label, address, isDefault: input.is_default }));
  }

  @Delete('addresses/:id')
  @HttpCode(204)
  async removeAddress(@Req() request: FastifyRequest, @Param('customerId') customerId: string, @Param('id') id: string) {
    await this.profiles.removeAddress(await this.owner(request, customerId), uuidParam(id));
  }

  @Get('payment-methods')
  async paymentMethods(@Req() request: FastifyRequest, @Param('customerId') customerId: string) {
    return { data: (await this.profiles.listPaymentMethods(await this.owner(request, customerId))).map(paymentMethodView) };
  }

  @Post('payment-methods')
  async addPaymentMethod(@Req() request: FastifyRequest, @Param('customerId') customerId: string, @Body() body: unknown) {
    const owner = await this.owner(request, customerId);
    const input = parseBody(newPaymentMethodSchema(new Date()), jsonBody(body));
    return paymentMethodView(await this.profiles.addPaymentMethod(owner, input));
  }

  @Patch('payment-methods/:id')
  async updatePaymentMethod(@Req() request: FastifyRequest, @Param('customerId') customerId: string, @Param('id') id: string, @Body() body: unknown) {
    const owner = await this.owner(request, customerId);
    parseBody(paymentMethodChangeSchema, jsonBody(body));
    return paymentMethodView(await this.profiles.makeDefaultPaymentMethod(owner, uuidParam(id)));
  }

  @Delete('payment-methods/:id')
  @HttpCode(204)
  async removePaymentMethod(@Req() request: FastifyRequest, @Param('customerId') customerId: string, @Param('id') id: string) {
    await this.profiles.removePaymentMethod(await this.owner(request, customerId), uuidParam(id));
  }
}

function notDefaultByFalse() {
  return invalidRequest([{ path: 'is_default', message: 'only `true` may be sent: make another address the default instead' }]);
}
