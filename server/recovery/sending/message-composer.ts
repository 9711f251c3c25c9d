import type { PoolClient } from 'pg';
import type { OutgoingMessage } from '../channels/channel';

/** Turns a planned message row into what a channel sends: template, cart, links, recipient. */
export interface MessageComposer {
  compose(client: PoolClient, messageId: string): Promise<OutgoingMessage>;
}

export const MESSAGE_COMPOSER = Symbol('MESSAGE_COMPOSER');
