import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import type { AdminIdentity } from '../../auth/admin-identity';
import { CurrentAdmin } from '../../auth/current-admin.decorator';
import { AdminRoles, CAN_EDIT_MARKETING } from '../../auth/roles.decorator';
import { parseListQuery, setContentRange } from '../../http/list-query';
import { uuidParam } from '../../../http/resource-http';
import { CUSTOMER_LIST } from './customers.schema';
import { CustomersAdminService } from './customers.service';

/** Shoppers: search, show (contact points, consent, push subscriptions, orders, messages), opt-out. */
@Controller('admin/api/customers')
@UseGuards(AdminAuthGuard)
export class CustomersAdminController {
  constructor(private readonly customers: CustomersAdminService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const list = parseListQuery(query, CUSTOMER_LIST);
    const { rows, total } = await this.customers.list(list);
    setContentRange(reply, 'customers', list, rows.length, total);
    return rows;
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.customers.get(uuidParam(id));
  }

  @Post(':id/opt-out')
  @HttpCode(200)
  @AdminRoles(...CAN_EDIT_MARKETING)
  optOut(@Param('id') id: string, @Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    return this.customers.optOut(uuidParam(id), body, who);
  }
}
