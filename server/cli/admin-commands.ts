import { INestApplicationContext } from '@nestjs/common';
import { UsersAdminService } from '../admin/resources/users/users.service';
import { CLI_IDENTITY, usageErrorOf } from './cli-audit';
import { CliUsageError, Output } from './cli-support';

const FLAGS: Record<string, string> = { email: '--email', password: '--password', role: '--role', name: '--name' };

/**
 * `admin:create --email E --password P --role admin|marketer|analyst [--name N]`: a console user, created through
 * the console's own service so that the user and its audit entry (actor `cli`) are written in one transaction.
 */
export async function createAdmin(app: INestApplicationContext, values: Record<string, unknown>, out: Output) {
  const body = Object.fromEntries(Object.keys(FLAGS).flatMap((field) => (values[field] !== undefined ? [[field, values[field]]] : [])));
  try {
    const user = await app.get(UsersAdminService).create(body, CLI_IDENTITY);
    out(`Created ${user.role} ${user.email} (id ${user.id}).`);
  } catch (error) {
    const usage = usageErrorOf(error, FLAGS, values);
    if (usage && /exists already/.test(usage.message)) throw new CliUsageError('--email: a console user with this email already exists');
    throw usage ?? error;
  }
}
