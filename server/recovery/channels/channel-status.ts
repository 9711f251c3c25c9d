import { CHANNELS, type ChannelKind } from '../../../campaigns/types';
import type { AppConfig } from '../../config/app-config';

/** Whether this deployment can send on a channel, and why not: what GET /admin/api/channels and the console show. */
export interface ChannelStatus {
  channel: ChannelKind;
  enabled: boolean;
  /** Why the channel is disabled (the setting that is missing); null when it is enabled. */
  reason: string | null;
  /** What it sends through, without secrets. */
  detail: string;
}

type ChannelConfig = Pick<AppConfig, 'smtp' | 'twilio' | 'vapid'>;

/**
 * Each channel's state, from the configuration alone (the same conditions the senders check), so that the planner,
 * the admin API and the start-up log agree: email needs SMTP_URL; SMS needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
 * and TWILIO_FROM (config refuses a partial set); push needs VAPID keys, which are generated and stored on first
 * start when VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY are unset, so push is always available.
 */
export function channelStatuses(config: ChannelConfig): ChannelStatus[] {
  return CHANNELS.map((channel) => statusOf(channel, config));
}

/** The channels the planner must never plan on. */
export function disabledChannels(config: ChannelConfig): ChannelKind[] {
  return channelStatuses(config)
    .filter((s) => !s.enabled)
    .map((s) => s.channel);
}

function statusOf(channel: ChannelKind, config: ChannelConfig): ChannelStatus {
  switch (channel) {
    case 'email':
      return config.smtp
        ? { channel, enabled: true, reason: null, detail: `SMTP relay ${relayOf(config.smtp.url)}, from ${config.smtp.from}` }
        : { channel, enabled: false, reason: 'SMTP_URL is not set', detail: 'Set SMTP_URL (smtp:// or smtps://) and MAIL_FROM to send email' };
    case 'sms':
      return config.twilio
        ? { channel, enabled: true, reason: null, detail: `Twilio account ${config.twilio.accountSid.slice(0, 6)}…, from ${config.twilio.from}` }
        : {
            channel,
            enabled: false,
            reason: 'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are not set',
            detail: 'Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM to send SMS',
          };
    case 'push':
      return {
        channel,
        enabled: true,
        reason: null,
        detail:
          config.vapid.publicKey && config.vapid.privateKey
            ? 'Web Push with the VAPID keys of VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY'
            : 'Web Push with VAPID keys generated on first start and stored in settings',
      };
  }
}

/** host:port of an SMTP URL, never its user or password. */
function relayOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'configured';
  }
}
