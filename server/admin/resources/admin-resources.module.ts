import { Module } from '@nestjs/common';
import { DiscountsModule } from '../../discounts/discounts.module';
import { ConsentModule } from '../../recovery/consent/consent.module';
import { SourcesModule } from '../../sources/sources.module';
import { AuditLogAdminController } from './audit-log/audit-log.controller';
import { AuditLogAdminService } from './audit-log/audit-log.service';
import { CampaignsAdminController } from './campaigns/campaigns.controller';
import { CampaignsAdminService } from './campaigns/campaigns.service';
import { ChannelsAdminController } from './channels/channels.controller';
import { CheckoutsAdminController } from './checkouts/checkouts.controller';
import { CheckoutsAdminService } from './checkouts/checkouts.service';
import { CustomersAdminController } from './customers/customers.controller';
import { CustomersAdminService } from './customers/customers.service';
import { DiscountRulesAdminController } from './discount-rules/discount-rules.controller';
import { DiscountRulesAdminService } from './discount-rules/discount-rules.service';
import { MessagesAdminController } from './messages/messages.controller';
import { MessagesAdminService } from './messages/messages.service';
import { SourcesAdminController } from './sources/sources.controller';
import { SourcesAdminService } from './sources/sources.service';
import { TemplatesAdminController } from './templates/templates.controller';
import { TemplatesAdminService } from './templates/templates.service';
import { UsersAdminController } from './users/users.controller';
import { UsersAdminService } from './users/users.service';

/**
 * The console's resources under /admin/api (docs/admin-api.md), in react-admin's simple REST dialect. The
 * guard, roles and audit log come from the global AdminModule. API role only.
 */
@Module({
  imports: [DiscountsModule, ConsentModule, SourcesModule],
  controllers: [
    CampaignsAdminController,
    DiscountRulesAdminController,
    TemplatesAdminController,
    CheckoutsAdminController,
    CustomersAdminController,
    SourcesAdminController,
    UsersAdminController,
    AuditLogAdminController,
    ChannelsAdminController,
    MessagesAdminController,
  ],
  providers: [
    CampaignsAdminService,
    DiscountRulesAdminService,
    TemplatesAdminService,
    CheckoutsAdminService,
    CustomersAdminService,
    SourcesAdminService,
    UsersAdminService,
    AuditLogAdminService,
    MessagesAdminService,
  ],
})
export class AdminResourcesModule {}
