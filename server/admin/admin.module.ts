import { Global, Module } from '@nestjs/common';
import { AdminAuthGuard } from './auth/admin-auth.guard';
import { AdminUsers } from './auth/admin-users.service';
import { AuthController } from './auth/auth.controller';
import { LoginThrottle } from './auth/login-throttle';
import { SessionTokens } from './auth/session-tokens';
import { AuditLog } from './audit/audit-log.service';

/**
 * The console's foundation: users, sessions, the guard every admin route uses, and the audit log. Global, so
 * each capability's admin controller (campaigns, rules, reports, the model) can use the guard and the log.
 */
@Global()
@Module({
  providers: [SessionTokens, AdminUsers, LoginThrottle, AdminAuthGuard, AuditLog],
  controllers: [AuthController],
  exports: [SessionTokens, AdminUsers, AdminAuthGuard, AuditLog],
})
export class AdminModule {}
