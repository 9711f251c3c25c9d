import { BadRequestException, ConflictException, HttpException, NotFoundException } from '@nestjs/common';
import type { AdminIdentity } from '../admin/auth/admin-identity';
import { CliUsageError } from './cli-support';

/**
 * Who the audit log says made a change from the command line. The CLI runs with the database's own credentials,
 * so it acts as an admin; `actor: 'cli'` is what the console's Audit log shows and filters on.
 */
export const CLI_IDENTITY: AdminIdentity = { userId: null, actor: 'cli', role: 'admin' };

/**
 * The CLI changes state through the same admin services the console uses, so each change and its audit entry are
 * written in one transaction. Their 4xx answers become usage errors naming the flag: `flags` maps a body field to
 * its flag; a list field's item is named "#n" (1-based), as the person typed them.
 */
export function usageErrorOf(error: unknown, flags: Record<string, string>, given: Record<string, unknown> = {}): CliUsageError | null {
  if (!(error instanceof HttpException)) return null;
  const body = error.getResponse() as { message?: string; problems?: { path: string; message: string }[] };
  if (error instanceof BadRequestException && body.problems?.length) {
    return new CliUsageError(
      body.problems
        .map(({ path, message }) => {
          const [field, index] = path.split('.');
          const flag = flags[field] ?? `--${field}`;
          // A flag not given at all: say so (and, for a choice, what the choices are).
          const missing = field in flags && given[field] === undefined && index === undefined;
          const text = missing ? `is required${/^must be one of /.test(message) ? `; ${message}` : ''}` : message;
          return `${flag}${index !== undefined ? ` #${Number(index) + 1}` : ''}: ${text}`;
        })
        .join('\n'),
    );
  }
  if (error instanceof ConflictException || error instanceof NotFoundException || error instanceof BadRequestException) return new CliUsageError(body.message ?? error.message);
  return null;
}
