import { Alert, AlertTitle, Chip, Stack, Tooltip } from '@mui/material';
import { useEffect, useState } from 'react';
import { getJson } from '../data/http';
import { ChannelIcon, channelLabel } from './channels';

/** One channel as GET /admin/api/channels reports it (server/recovery/channels/channel-status.ts). */
export interface ChannelState {
  channel: 'email' | 'push' | 'sms';
  enabled: boolean;
  /** Why it is disabled: the setting that is missing. */
  reason: string | null;
  detail: string;
}

// Configuration changes only with a restart: one request per page load is enough for every panel and step.
let pending: Promise<ChannelState[]> | null = null;

function loadChannels(): Promise<ChannelState[]> {
  pending ??= getJson<ChannelState[]>('/channels').catch((error: unknown) => {
    pending = null;
    throw error;
  });
  return pending;
}

/** "Email", "Push", "SMS": a channel's name at the start of a sentence. */
export function channelTitle(channel: string): string {
  const label = channelLabel(channel);
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** The deployment's channels, or null while loading (or when the request failed: nothing is claimed then). */
export function useChannelStates(): ChannelState[] | null {
  const [states, setStates] = useState<ChannelState[] | null>(null);
  useEffect(() => {
    let live = true;
    loadChannels().then(
      (loaded) => live && setStates(loaded),
      () => live && setStates(null),
    );
    return () => {
      live = false;
    };
  }, []);
  return states;
}

/** The disabled channels by name, with why: for marking steps and chips. */
export function useDisabledChannels(): Map<string, string> {
  const states = useChannelStates();
  return new Map((states ?? []).filter((s) => !s.enabled).map((s) => [s.channel, s.reason ?? 'not configured']));
}

/**
 * Which channels can send, and why the others cannot: on the dashboard and the campaign page. The planner never
 * plans on a disabled channel (fallback skips it), so a step whose channels are all disabled is passed over.
 */
export function ChannelStatusPanel() {
  const states = useChannelStates();
  if (!states) return null;
  const disabled = states.filter((s) => !s.enabled);
  const chips = (
    <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', mt: disabled.length ? 1 : 0 }}>
      {states.map((s) => (
        <Tooltip key={s.channel} title={s.enabled ? s.detail : `${s.reason} — ${s.detail}`}>
          <Chip
            size="small"
            variant={s.enabled ? 'outlined' : 'filled'}
            color={s.enabled ? 'success' : 'error'}
            icon={<ChannelIcon channel={s.channel} fontSize="inherit" />}
            label={`${channelTitle(s.channel)}: ${s.enabled ? 'can send' : 'disabled'}`}
            data-testid={`channel-${s.channel}`}
            data-enabled={s.enabled}
          />
        </Tooltip>
      ))}
    </Stack>
  );
  if (disabled.length === 0) {
    return (
      <Alert severity="success" data-testid="channel-status" sx={{ mb: 2 }}>
        All channels can send. {chips}
      </Alert>
    );
  }
  return (
    <Alert severity="warning" data-testid="channel-status" sx={{ mb: 2 }}>
      <AlertTitle>
        {disabled.map((s, i) => (i === 0 ? channelTitle(s.channel) : channelLabel(s.channel))).join(' and ')} {disabled.length > 1 ? 'are' : 'is'} disabled
      </AlertTitle>
      {disabled.map((s) => (
        <Tooltip key={s.channel} title={s.detail} placement="bottom-start">
          <div data-testid={`channel-reason-${s.channel}`}>
            {channelTitle(s.channel)}: {s.reason}.
          </div>
        </Tooltip>
      ))}
      <div>Nothing is planned on a disabled channel: each step falls back to its next channel, and a step with none left is passed over.</div>
      {chips}
    </Alert>
  );
}
