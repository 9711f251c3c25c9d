import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { uuidParam } from '../../../http/resource-http';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import { parseListQuery, setContentRange } from '../../http/list-query';
import { MESSAGE_LIST } from './messages.schema';
import { MessagesAdminService } from './messages.service';

/** Recovery messages (read-only, every role): filter by status, channel, arm or checkout; one with its rendered content. */
@Controller('admin/api/messages')
@UseGuards(AdminAuthGuard)
export class MessagesAdminController {
  constructor(private readonly messages: MessagesAdminService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const list = parseListQuery(query, MESSAGE_LIST);
    const { rows, total } = await this.messages.list(list);
    setContentRange(reply, 'messages', list, rows.length, total);
    return rows;
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.messages.get(uuidParam(id));
  }
}
