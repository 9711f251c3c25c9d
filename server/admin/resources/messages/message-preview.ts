import type { ModuleRef } from '@nestjs/core';
import type { Pool, PoolClient } from 'pg';
import type { ChannelKind } from '../../../../campaigns/types';
import type { OutgoingMessage } from '../../../recovery/channels/channel';
import { MESSAGE_COMPOSER, type MessageComposer } from '../../../recovery/sending/message-composer';

/** What a message says, as the worker's composer renders it (or why it cannot be rendered). */
export type MessagePreview =
  | { channel: 'email'; subject: string; html: string; text: string }
  | { channel: 'sms'; body: string }
  | { channel: 'push'; title: string; body: string }
  | { channel: ChannelKind; error: string };

/**
 * Bodies are not stored: a preview is rendered again by the same composer the worker sends with, inside a
 * transaction that is always rolled back (the composer may issue a discount code the first time; a preview must
 * change nothing). Every signed link in it (click, open pixel, unsubscribe, checkout page) is replaced, so
 * looking at a preview never counts as the shopper's open or click.
 */
export class MessagePreviews {
  constructor(
    private readonly pool: Pool,
    private readonly moduleRef: ModuleRef,
    private readonly publicUrl: string,
  ) {}

  async render(messageIds: string[]): Promise<Map<string, MessagePreview>> {
    const out = new Map<string, MessagePreview>();
    if (messageIds.length === 0) return out;
    // The recovery engine's own instance (its offers cache, its signed links), not a second copy.
    const composer = this.moduleRef.get<MessageComposer>(MESSAGE_COMPOSER, { strict: false });
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN READ WRITE');
      for (const id of messageIds) out.set(id, await this.renderOne(client, composer, id));
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
    return out;
  }

  private async renderOne(client: PoolClient, composer: MessageComposer, id: string): Promise<MessagePreview> {
    await client.query('SAVEPOINT preview');
    try {
      return this.neutralised(await composer.compose(client, id));
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT preview');
      const { rows } = await client.query<{ channel: ChannelKind }>('SELECT channel FROM messages WHERE id = $1', [id]);
      return { channel: rows[0]?.channel ?? 'email', error: error instanceof Error ? error.message : String(error) };
    }
  }

  private neutralised(message: OutgoingMessage): MessagePreview {
    const prefix = `${this.publicUrl}/`;
    const signed = new RegExp(`${escapeRegExp(prefix)}(?:r|c)/[^\\s"'<>)]+`, 'g');
    const text = (value: string) => value.replace(signed, '[link]');
    if (message.channel === 'email') {
      const content = (message as OutgoingMessage<'email'>).content;
      // The open pixel goes entirely; links point nowhere.
      const html = content.html.replace(new RegExp(`<img[^>]+${escapeRegExp(prefix)}r/[^>]*>`, 'g'), '').replace(signed, '#');
      return { channel: 'email', subject: content.subject, html, text: text(content.text) };
    }
    if (message.channel === 'sms') return { channel: 'sms', body: text((message as OutgoingMessage<'sms'>).content.body) };
    const push = (message as OutgoingMessage<'push'>).content;
    return { channel: 'push', title: push.title, body: text(push.body) };
  }
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
