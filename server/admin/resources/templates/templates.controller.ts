import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import type { AdminIdentity } from '../../auth/admin-identity';
import { CurrentAdmin } from '../../auth/current-admin.decorator';
import { AdminRoles, CAN_EDIT_MARKETING } from '../../auth/roles.decorator';
import { parseListQuery, setContentRange } from '../../http/list-query';
import { keyParam, takeVersion, withoutReadOnly } from '../../../http/resource-http';
import { TEMPLATE_LIST, TEMPLATE_READ_ONLY } from './templates.schema';
import { TemplatesAdminService } from './templates.service';

/** Message templates: list, edit with optimistic concurrency, and preview on a sample checkout. */
@Controller('admin/api/templates')
@UseGuards(AdminAuthGuard)
export class TemplatesAdminController {
  constructor(private readonly templates: TemplatesAdminService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const list = parseListQuery(query, TEMPLATE_LIST);
    const { rows, total } = await this.templates.list(list);
    setContentRange(reply, 'templates', list, rows.length, total);
    return rows;
  }

  /** Open to every role: it stores nothing. */
  @Post('preview')
  @HttpCode(200)
  preview(@Body() body: unknown) {
    return this.templates.preview(body);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.templates.get(keyParam(id));
  }

  @Post()
  @AdminRoles(...CAN_EDIT_MARKETING)
  create(@Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    return this.templates.create(body, who);
  }

  @Put(':id')
  @AdminRoles(...CAN_EDIT_MARKETING)
  update(@Param('id') id: string, @Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    const key = keyParam(id);
    const { version, rest } = takeVersion(body);
    return this.templates.update(key, withoutReadOnly(rest, TEMPLATE_READ_ONLY), version, who);
  }
}
