import { INestApplicationContext } from '@nestjs/common';
import { ZodError } from 'zod';
import { AdminUsers } from '../admin/auth/admin-users.service';
import { CliUsageError, Output } from './cli-support';

/** `admin:create --email E --password P --role admin|marketer|analyst [--name N]`: a console user. */
export async function createAdmin(app: INestApplicationContext, values: Record<string, unknown>, out: Output) {
  try {
    const result = await app.get(AdminUsers).create({
      email: values.email as string,
      password: values.password as string,
      role: values.role as never,
      ...(typeof values.name === 'string' ? { name: values.name } : {}),
    });
    if (!result.ok) throw new CliUsageError(`--email: a console user with this email already exists`);
    out(`Created ${result.user.role} ${result.user.email} (id ${result.user.id}).`);
  } catch (error) {
    if (error instanceof ZodError) {
      throw new CliUsageError(error.issues.map((i) => `--${String(i.path[0])}: ${i.path[0] === 'role' || values[String(i.path[0])] !== undefined ? i.message : 'is required'}`).join('\n'));
    }
    throw error;
  }
}
