import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import { parseListQuery, setContentRange } from '../../http/list-query';
import { uuidParam } from '../../../http/resource-http';
import { CHECKOUT_LIST } from './checkouts.schema';
import { CheckoutsAdminService } from './checkouts.service';

/** Checkouts (read-only, every role): search, and one checkout with its events, enrollment, messages, order and payment. */
@Controller('admin/api/checkouts')
@UseGuards(AdminAuthGuard)
export class CheckoutsAdminController {
  constructor(private readonly checkouts: CheckoutsAdminService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const list = parseListQuery(query, CHECKOUT_LIST);
    const { rows, total } = await this.checkouts.list(list);
    setContentRange(reply, 'checkouts', list, rows.length, total);
    return rows;
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.checkouts.get(uuidParam(id));
  }
}
