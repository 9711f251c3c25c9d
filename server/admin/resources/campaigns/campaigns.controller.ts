import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';
import type { AdminIdentity } from '../../auth/admin-identity';
import { CurrentAdmin } from '../../auth/current-admin.decorator';
import { AdminRoles, CAN_EDIT_MARKETING } from '../../auth/roles.decorator';
import { parseListQuery, setContentRange } from '../../http/list-query';
import { invalidRequest, takeVersion, uuidParam, withoutReadOnly } from '../../../http/resource-http';
import { CAMPAIGN_LIST, CAMPAIGN_READ_ONLY } from './campaigns.schema';
import { CampaignsAdminService } from './campaigns.service';

/** Campaigns: list with last week's results, edit with optimistic concurrency, activate/pause, timeline preview. */
@Controller('admin/api/campaigns')
@UseGuards(AdminAuthGuard)
export class CampaignsAdminController {
  constructor(private readonly campaigns: CampaignsAdminService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const list = parseListQuery(query, CAMPAIGN_LIST);
    const { rows, total } = await this.campaigns.list(list);
    setContentRange(reply, 'campaigns', list, rows.length, total);
    return rows;
  }

  /** Open to every role: it stores nothing. */
  @Post('preview')
  @HttpCode(200)
  preview(@Body() body: unknown) {
    return this.campaigns.preview(body);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.campaigns.get(uuidParam(id));
  }

  @Post()
  @AdminRoles(...CAN_EDIT_MARKETING)
  create(@Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    return this.campaigns.create(body, who);
  }

  @Put(':id')
  @AdminRoles(...CAN_EDIT_MARKETING)
  update(@Param('id') id: string, @Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    const campaignId = uuidParam(id);
    const { version, rest } = takeVersion(body);
    return this.campaigns.update(campaignId, withoutReadOnly(rest, CAMPAIGN_READ_ONLY), version, who);
  }

  @Post(':id/activate')
  @HttpCode(200)
  @AdminRoles(...CAN_EDIT_MARKETING)
  activate(@Param('id') id: string, @CurrentAdmin() who: AdminIdentity) {
    return this.campaigns.setStatus(uuidParam(id), 'active', who);
  }

  @Post(':id/steps/:stepIndex/promote')
  @HttpCode(200)
  @AdminRoles(...CAN_EDIT_MARKETING)
  promote(@Param('id') id: string, @Param('stepIndex') stepIndex: string, @Body() body: unknown, @CurrentAdmin() who: AdminIdentity) {
    return this.campaigns.promoteVariant(uuidParam(id), stepParam(stepIndex), body, who);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @AdminRoles(...CAN_EDIT_MARKETING)
  pause(@Param('id') id: string, @CurrentAdmin() who: AdminIdentity) {
    return this.campaigns.setStatus(uuidParam(id), 'paused', who);
  }
}

/** A 0-based step number in the path; 400 naming `stepIndex` otherwise. */
function stepParam(value: string): number {
  if (!/^\d{1,2}$/.test(value)) throw invalidRequest([{ path: 'stepIndex', message: 'must be a step number, 0 for the first step' }]);
  return Number(value);
}
