import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { channelStatuses, type ChannelStatus } from '../../../recovery/channels/channel-status';
import { AdminAuthGuard } from '../../auth/admin-auth.guard';

/**
 * GET /admin/api/channels: each channel with `enabled` and, when disabled, the `reason` (the setting that is
 * missing). Read by every signed-in role: a marketer editing a campaign needs to know a step cannot send.
 * The planner skips exactly the disabled channels (recovery/channels/channel-status.ts is the one rule).
 */
@Controller('admin/api/channels')
@UseGuards(AdminAuthGuard)
export class ChannelsAdminController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  list(): ChannelStatus[] {
    return channelStatuses(this.config);
  }
}
