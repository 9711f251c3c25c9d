import { INestApplicationContext } from '@nestjs/common';
import { ZodError } from 'zod';
import { SourcesService } from '../sources/sources.service';
import { CliUsageError, Output } from './cli-support';

export async function createSource(app: INestApplicationContext, values: Record<string, unknown>, out: Output) {
  const name = values.name;
  if (typeof name !== 'string') throw new CliUsageError('--name is required, e.g. --name "Main store"');
  try {
    const created = await app.get(SourcesService).create({
      name,
      shopifySecret: values['shopify-secret'] as string | undefined,
      allowedOrigins: (values.origin as string[] | undefined) ?? [],
      requireEmailOptIn: values['require-email-opt-in'] === true,
    });
    out(`Created source "${created.name}" (id ${created.id}).`);
    out('Its write key is shown once; store it now:');
    out(created.writeKey);
  } catch (error) {
    if (error instanceof ZodError) {
      const flag: Record<string, string> = { name: '--name', shopifySecret: '--shopify-secret', allowedOrigins: '--origin' };
      throw new CliUsageError(error.issues.map((i) => `${flag[String(i.path[0])] ?? String(i.path[0])}${i.path.length > 1 ? ` #${Number(i.path[1]) + 1}` : ''}: ${i.message}`).join('\n'));
    }
    throw error;
  }
}

function sourceIdOf(values: Record<string, unknown>): string {
  const id = values.id;
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new CliUsageError('--id must be a source id (a UUID, see sources:list)');
  return id;
}

export async function rotateServerKey(app: INestApplicationContext, values: Record<string, unknown>, out: Output) {
  const id = sourceIdOf(values);
  const serverKey = await app.get(SourcesService).rotateServerKey(id);
  if (!serverKey) throw new CliUsageError(`no source has id ${id}`);
  out(`Server key of source ${id} (shown once; keep it on your servers, never in a browser):`);
  out(serverKey);
}

export async function setSourceEnabled(app: INestApplicationContext, values: Record<string, unknown>, enabled: boolean, out: Output) {
  const id = sourceIdOf(values);
  if (!(await app.get(SourcesService).setEnabled(id, enabled))) throw new CliUsageError(`no source has id ${id}`);
  out(`Source ${id} ${enabled ? 'enabled' : 'disabled'}.`);
}

export async function listSources(app: INestApplicationContext, out: Output) {
  for (const s of await app.get(SourcesService).list()) {
    out(`${s.id}  ${s.enabled ? 'enabled ' : 'disabled'}  ${s.writeKeyPrefix}…  ${s.name}${s.allowedOrigins.length ? `  origins: ${s.allowedOrigins.join(', ')}` : ''}`);
  }
}
