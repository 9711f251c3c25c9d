import { Body, Controller, Get, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import type { AdminIdentity } from '../../auth/admin-identity';
import { CurrentAdmin } from '../../auth/current-admin.decorator';
import { ADMIN_ONLY, AdminRoles } from '../../auth/roles.decorator';
import { parseListQuery, setContentRange } from '../../http/list-query';
import { uuidParam, withoutReadOnly } from '../../../http/resource-http';
import { SOURCE_LIST, SOURCE_READ_ONLY } from './sources.schema';
import { SourcesAdminService } from './sources.service';

/** Sources: every role reads (never a key or secret), admins create and change them. */
@Controller('admin/api/sources')
@UseGuards(AdminAuthGuard)
export class SourcesAdminController {
  constructor(private readonly sources: SourcesAdminService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const list = parseListQuery(query, SOURCE_LIST);
    const { rows, total } = await this.sources.list(list);
    setContentRange(reply, 'sources', list, rows.length, total);
    return rows;
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.sources.get(uuidParam(id));
  }

  @Post()
  @AdminRoles(...ADMIN_ONLY)
  create(@Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    return this.sources.create(body, who);
  }

  @Put(':id')
  @AdminRoles(...ADMIN_ONLY)
  update(@Param('id') id: string, @Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    return this.sources.update(uuidParam(id), withoutReadOnly(body, SOURCE_READ_ONLY), who);
  }
}
