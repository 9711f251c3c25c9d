import { INestApplicationContext } from '@nestjs/common';
import { AuditLog } from '../admin/audit/audit-log.service';
import { SourcesAdminService } from '../admin/resources/sources/sources.service';
import { SourcesService } from '../sources/sources.service';
import { writeKeyPrefix } from '../sources/write-key';
import { CLI_IDENTITY, usageErrorOf } from './cli-audit';
import { CliUsageError, Output } from './cli-support';

const FLAGS: Record<string, string> = { name: '--name', shopifySecret: '--shopify-secret', allowedOrigins: '--origin', requireEmailOptIn: '--require-email-opt-in', defaultCurrency: '--currency' };

/** Through the console's own service: the source and its audit entry (actor `cli`) in one transaction. */
export async function createSource(app: INestApplicationContext, values: Record<string, unknown>, out: Output) {
  const name = values.name;
  if (typeof name !== 'string') throw new CliUsageError('--name is required, e.g. --name "Main store"');
  const body = {
    name,
    ...(values['shopify-secret'] !== undefined ? { shopifySecret: values['shopify-secret'] } : {}),
    allowedOrigins: (values.origin as string[] | undefined) ?? [],
    requireEmailOptIn: values['require-email-opt-in'] === true,
    ...(values.currency !== undefined ? { defaultCurrency: values.currency } : {}),
  };
  try {
    const created = await app.get(SourcesAdminService).create(body, CLI_IDENTITY);
    out(`Created source "${created.name}" (id ${created.id}, default currency ${created.defaultCurrency}).`);
    out('Its write key is shown once; store it now:');
    out(created.writeKey);
  } catch (error) {
    throw usageErrorOf(error, FLAGS, body) ?? error;
  }
}

function sourceIdOf(values: Record<string, unknown>): string {
  const id = values.id;
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new CliUsageError('--id must be a source id (a UUID, see sources:list)');
  return id.toLowerCase();
}

/**
 * The rotation and its audit entry are two writes: SourcesService issues the key in its own statement. The entry
 * follows at once and keeps only the new key's prefix.
 */
export async function rotateServerKey(app: INestApplicationContext, values: Record<string, unknown>, out: Output) {
  const id = sourceIdOf(values);
  const serverKey = await app.get(SourcesService).rotateServerKey(id);
  if (!serverKey) throw new CliUsageError(`no source has id ${id}`);
  await app.get(AuditLog).record(CLI_IDENTITY, { action: 'rotate_server_key', resource: 'sources', resourceId: id, after: { serverKeyPrefix: writeKeyPrefix(serverKey) } });
  out(`Server key of source ${id} (shown once; keep it on your servers, never in a browser):`);
  out(serverKey);
}

/** Through the console's own service (an update of `enabled`), audited in the same transaction. */
export async function setSourceEnabled(app: INestApplicationContext, values: Record<string, unknown>, enabled: boolean, out: Output) {
  const id = sourceIdOf(values);
  try {
    await app.get(SourcesAdminService).update(id, { enabled }, CLI_IDENTITY);
  } catch (error) {
    const usage = usageErrorOf(error, FLAGS, { enabled });
    if (usage && /^no source/.test(usage.message)) throw new CliUsageError(`no source has id ${id}`);
    throw usage ?? error;
  }
  out(`Source ${id} ${enabled ? 'enabled' : 'disabled'}.`);
}

export async function listSources(app: INestApplicationContext, out: Output) {
  for (const s of await app.get(SourcesService).list()) {
    out(`${s.id}  ${s.enabled ? 'enabled ' : 'disabled'}  ${s.writeKeyPrefix}…  ${s.name}${s.allowedOrigins.length ? `  origins: ${s.allowedOrigins.join(', ')}` : ''}`);
  }
}
