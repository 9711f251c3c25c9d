import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import { ADMIN_ONLY, AdminRoles } from '../../auth/roles.decorator';
import { parseListQuery, setContentRange } from '../../http/list-query';
import { uuidParam } from '../../../http/resource-http';
import { AUDIT_LIST } from './audit-log.schema';
import { AuditLogAdminService } from './audit-log.service';

/** The audit log: admins only. */
@Controller('admin/api/audit-log')
@UseGuards(AdminAuthGuard)
@AdminRoles(...ADMIN_ONLY)
export class AuditLogAdminController {
  constructor(private readonly log: AuditLogAdminService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const list = parseListQuery(query, AUDIT_LIST);
    const { rows, total } = await this.log.list(list);
    setContentRange(reply, 'audit-log', list, rows.length, total);
    return rows;
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.log.get(uuidParam(id));
  }
}
