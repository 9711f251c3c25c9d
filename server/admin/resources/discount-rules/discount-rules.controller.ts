import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import type { AdminIdentity } from '../../auth/admin-identity';
import { CurrentAdmin } from '../../auth/current-admin.decorator';
import { AdminRoles, CAN_EDIT_MARKETING } from '../../auth/roles.decorator';
import { parseListQuery, setContentRange } from '../../http/list-query';
import { keyParam, takeVersion, withoutReadOnly } from '../../../http/resource-http';
import { RULE_LIST, RULE_READ_ONLY } from './discount-rules.schema';
import { DiscountRulesAdminService } from './discount-rules.service';

/** Discount rules: list, edit with optimistic concurrency, and the rule tester. */
@Controller('admin/api/discount-rules')
@UseGuards(AdminAuthGuard)
export class DiscountRulesAdminController {
  constructor(private readonly rules: DiscountRulesAdminService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const list = parseListQuery(query, RULE_LIST);
    const { rows, total } = await this.rules.list(list);
    setContentRange(reply, 'discount-rules', list, rows.length, total);
    return rows;
  }

  /** Open to every role: it stores nothing. */
  @Post('test')
  @HttpCode(200)
  test(@Body() body: unknown) {
    return this.rules.test(body);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.rules.get(keyParam(id));
  }

  @Post()
  @AdminRoles(...CAN_EDIT_MARKETING)
  create(@Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    return this.rules.create(body, who);
  }

  @Put(':id')
  @AdminRoles(...CAN_EDIT_MARKETING)
  update(@Param('id') id: string, @Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    const ruleId = keyParam(id);
    const { version, rest } = takeVersion(body);
    return this.rules.update(ruleId, withoutReadOnly(rest, RULE_READ_ONLY), version, who);
  }
}
