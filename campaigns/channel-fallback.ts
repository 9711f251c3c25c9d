/**
 * Which channel a step uses for one recipient.
 *
 * A channel is reachable when we have the contact AND the consent for it:
 *  - email: an address, and consent.email !== false (no opt-out) — or consent.email === true where the
 *    store requires an explicit email opt-in (EU stores: `requireEmailOptIn`);
 *  - sms: a phone number and an explicit opt-in, consent.sms === true;
 *  - push: at least one live Web Push subscription, and consent.push !== false;
 *  - and, whatever the customer, the channel is not one of `recipient.disabledChannels` (its configuration is
 *    missing in this deployment): a disabled channel is passed over as 'channel_disabled', so no message is
 *    ever planned on it.
 *
 * A step lists channels in order of preference; 'last_engaged' stands for the channel of the last recovery
 * message the customer opened or clicked (skipped when there is none, or when the step has no template for
 * it); a channel listed twice counts once. The first reachable channel wins, and every channel passed over
 * on the way is reported with why.
 *
 * "After an unanswered email, prefer push or SMS": when the enrollment's previous message was an email that
 * was neither opened nor clicked, the step's push and SMS move ahead of its email (in their own order).
 */
import type { CampaignStep, ChannelKind, ChannelSkip, EnrollmentMessage, Recipient } from './types';

export type UnreachableReason = 'channel_disabled' | 'no_consent' | 'no_contact';

export function unreachableReason(recipient: Recipient, channel: ChannelKind): UnreachableReason | null {
  const { consent } = recipient;
  if (recipient.disabledChannels?.includes(channel)) return 'channel_disabled';
  switch (channel) {
    case 'email':
      if (!recipient.email?.trim()) return 'no_contact';
      return (recipient.requireEmailOptIn ? consent.email === true : consent.email !== false) ? null : 'no_consent';
    case 'sms':
      if (!recipient.phone?.trim()) return 'no_contact';
      return consent.sms === true ? null : 'no_consent';
    case 'push':
      if (!(recipient.pushSubscriptions > 0)) return 'no_contact';
      return consent.push !== false ? null : 'no_consent';
  }
}

export function isReachable(recipient: Recipient, channel: ChannelKind): boolean {
  return unreachableReason(recipient, channel) === null;
}

/**
 * An email that has gone out (at ≤ now) and was neither opened nor clicked. One still planned for later is
 * not unanswered yet.
 */
export function isUnansweredEmail(message: Pick<EnrollmentMessage, 'channel' | 'at' | 'opened' | 'clicked'> | null | undefined, now: Date): boolean {
  return !!message && message.channel === 'email' && message.at <= now && !message.opened && !message.clicked;
}

/** The step's preferences as concrete channels: 'last_engaged' expanded, duplicates dropped. */
export function expandChannels(step: Pick<CampaignStep, 'channels' | 'templates'>, recipient: Pick<Recipient, 'lastEngagedChannel'>): ChannelKind[] {
  const channels: ChannelKind[] = [];
  for (const choice of step.channels) {
    const channel = choice === 'last_engaged' ? recipient.lastEngagedChannel : choice;
    if (!channel || channels.includes(channel)) continue;
    if (choice === 'last_engaged' && !step.templates[channel]) continue;
    channels.push(channel);
  }
  return channels;
}

export interface ChannelResolution {
  /** The channel to use, or null when none of the step's channels can be used. */
  channel: ChannelKind | null;
  /** Channels passed over before it, in the step's order of preference. */
  skipped: ChannelSkip[];
}

export interface ResolveOptions {
  /** The previous message of the enrollment was an unanswered email (see `isUnansweredEmail`). */
  afterUnansweredEmail?: boolean;
  /** Channels this step already tried (a waterfall): never chosen again, skipped as 'waterfall'. */
  tried?: readonly ChannelKind[];
  /** The decision policy's pick: used when the step lists it and it can reach the customer; the others are skipped as 'policy'. */
  chosen?: ChannelKind | null;
}

/** The first usable channel of a step for this recipient, and the ones skipped on the way. */
export function resolveChannel(step: Pick<CampaignStep, 'channels' | 'templates'>, recipient: Recipient, options: ResolveOptions = {}): ChannelResolution {
  const tried = options.tried ?? [];
  const preferred = expandChannels(step, recipient);
  const order = options.afterUnansweredEmail ? [...preferred.filter((c) => c !== 'email'), ...preferred.filter((c) => c === 'email')] : preferred;
  const usable = (c: ChannelKind) => !tried.includes(c) && isReachable(recipient, c);
  const chosen = options.chosen && preferred.includes(options.chosen) && usable(options.chosen) ? options.chosen : null;
  const channel = chosen ?? order.find(usable) ?? null;

  // Skipped: every other channel that came before the chosen one, in the step's order or in the order tried.
  const before = (list: ChannelKind[], c: ChannelKind) => channel === null || list.indexOf(c) < list.indexOf(channel);
  const skipped: ChannelSkip[] = [];
  for (const c of preferred) {
    if (c === channel || !(before(preferred, c) || before(order, c))) continue;
    const reason = tried.includes(c) ? 'waterfall' : (unreachableReason(recipient, c) ?? (chosen ? 'policy' : 'unanswered_email'));
    skipped.push({ channel: c, reason });
  }
  return { channel, skipped };
}
