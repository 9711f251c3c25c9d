import { Body, Controller, Get, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import type { AdminIdentity } from '../../auth/admin-identity';
import { CurrentAdmin } from '../../auth/current-admin.decorator';
import { ADMIN_ONLY, AdminRoles } from '../../auth/roles.decorator';
import { parseListQuery, setContentRange } from '../../http/list-query';
import { uuidParam, withoutReadOnly } from '../../../http/resource-http';
import { USER_LIST, USER_READ_ONLY } from './users.schema';
import { UsersAdminService } from './users.service';

/** Console users: admins only, reading included. */
@Controller('admin/api/users')
@UseGuards(AdminAuthGuard)
@AdminRoles(...ADMIN_ONLY)
export class UsersAdminController {
  constructor(private readonly users: UsersAdminService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const list = parseListQuery(query, USER_LIST);
    const { rows, total } = await this.users.list(list);
    setContentRange(reply, 'users', list, rows.length, total);
    return rows;
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.users.get(uuidParam(id));
  }

  @Post()
  create(@Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    return this.users.create(body, who);
  }

  @Put(':id')
  update(@Param('id') id: string, @Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    return this.users.update(uuidParam(id), withoutReadOnly(body, USER_READ_ONLY), who);
  }
}
