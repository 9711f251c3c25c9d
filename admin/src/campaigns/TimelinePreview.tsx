import { Alert, Box, Card, CardContent, Checkbox, Chip, FormControlLabel, Stack, TextField, Tooltip, Typography } from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { HttpError, useDataProvider } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { CHANNEL_COLORS, ChannelIcon, channelLabel } from '../common/channels';
import { money, words } from '../common/format';
import { channelTitle, useDisabledChannels } from '../common/ChannelStatus';
import { OpenStageField } from '../common/forms';
import type { AppDataProvider } from '../data/dataProvider';
import { CHANNELS, type ChannelKind, type CheckoutStage, type PreviewResponse } from '../data/types';
import { type CampaignFormValues, toCampaignBody } from './campaign-body';

function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function offsetLabel(fromIso: string, toIso: string): string {
  const minutes = Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000);
  if (minutes < 60) return `+${minutes} min`;
  if (minutes < 48 * 60) return `+${(minutes / 60).toFixed(minutes % 60 ? 1 : 0)} h`;
  return `+${(minutes / 1440).toFixed(1)} d`;
}

/**
 * What the engine's planner (`campaigns/planner.ts`, through POST /campaigns/preview) would send one shopper
 * with the campaign as it stands in the form, recomputed as the form changes.
 */
export function TimelinePreview() {
  const dataProvider = useDataProvider<AppDataProvider>();
  const values = useWatch() as CampaignFormValues;
  const [abandonedAt, setAbandonedAt] = useState(() => localInputValue(new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000)));
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [reachable, setReachable] = useState<ChannelKind[]>(['email', 'push', 'sms']);
  const [assume, setAssume] = useState({ delivered: true, opened: false, clicked: false });
  const [cartValue, setCartValue] = useState(120);
  const [stage, setStage] = useState<CheckoutStage>('payment');
  const [isNewCustomer, setNewCustomer] = useState(true);
  const [result, setResult] = useState<PreviewResponse | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [loading, setLoading] = useState(false);
  const disabled = useDisabledChannels();

  const request = useMemo(
    () =>
      JSON.stringify({
        // The draft without its `version`: the preview checks the body strictly, as for a create.
        campaign: { ...toCampaignBody(values), version: undefined },
        abandonedAt: new Date(abandonedAt).toISOString(),
        timezone,
        channels: reachable,
        phone: null,
        lastEngagedChannel: null,
        assume,
        checkout: { cartValue, stage, isNewCustomer },
      }),
    [values, abandonedAt, timezone, reachable, assume, cartValue, stage, isNewCustomer],
  );

  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(async () => {
      setLoading(true);
      try {
        const answer = await dataProvider.previewCampaign(JSON.parse(request));
        if (cancelled) return;
        setResult(answer);
        setProblems([]);
      } catch (error) {
        if (cancelled) return;
        const http = error instanceof HttpError ? error : null;
        const list = (http?.body?.problems as Array<{ path: string; message: string }> | undefined)?.map((p) => `${p.path}: ${p.message}`);
        setProblems(list?.length ? list : [http?.message ?? String(error)]);
      } finally {
        if (!cancelled) setLoading(false);
      }
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [request, dataProvider]);

  // A step passed over because every channel it lists is disabled here (not because of this shopper).
  const stepsCannotSend = (steps: number[]) =>
    disabled.size > 0 &&
    steps.some((i) => {
      const listed = (values.steps?.[i]?.channels ?? []).flatMap((c) => (c === 'last_engaged' ? ['email', 'push', 'sms'] : [c]));
      return listed.length > 0 && listed.every((c) => disabled.has(c));
    });
  const start = Date.parse(new Date(abandonedAt).toISOString());
  const end = result ? Date.parse(result.expiresAt) : start + 7 * 86_400_000;
  const position = (iso: string) => `${Math.min(100, Math.max(0, ((Date.parse(iso) - start) / (end - start)) * 100))}%`;

  return (
    <Card variant="outlined" data-testid="timeline-preview">
      <CardContent>
        <Typography variant="h6">Timeline preview</Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          One shopper, planned by the engine's own planner{loading ? ' …' : ''}
        </Typography>
        <Stack direction="row" spacing={1} useFlexGap sx={{ mb: 1, flexWrap: 'wrap' }}>
          <TextField size="small" type="datetime-local" label="abandoned at" value={abandonedAt} onChange={(e) => setAbandonedAt(e.target.value)} slotProps={{ inputLabel: { shrink: true } }} />
          <TextField size="small" label="shopper's time zone" value={timezone} onChange={(e) => setTimezone(e.target.value)} sx={{ width: 180 }} />
          <TextField size="small" type="number" label="cart value" value={cartValue} onChange={(e) => setCartValue(Number(e.target.value))} sx={{ width: 110 }} />
          <OpenStageField value={stage} onChange={setStage} />
        </Stack>
        <Stack direction="row" useFlexGap sx={{ mb: 1, alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="caption" sx={{ mr: 1 }}>
            reachable by
          </Typography>
          {CHANNELS.map((channel) => (
            <FormControlLabel
              key={channel}
              control={<Checkbox size="small" checked={reachable.includes(channel)} onChange={(e) => setReachable(e.target.checked ? [...reachable, channel] : reachable.filter((c) => c !== channel))} />}
              label={disabled.has(channel) ? `${channelLabel(channel)} (disabled here)` : channelLabel(channel)}
            />
          ))}
          <FormControlLabel control={<Checkbox size="small" checked={isNewCustomer} onChange={(e) => setNewCustomer(e.target.checked)} />} label="new customer" />
        </Stack>
        <Stack direction="row" useFlexGap sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="caption" sx={{ mr: 1 }}>
            every message is
          </Typography>
          {(['delivered', 'opened', 'clicked'] as const).map((key) => (
            <FormControlLabel key={key} control={<Checkbox size="small" checked={assume[key]} onChange={(e) => setAssume({ ...assume, [key]: e.target.checked })} />} label={key} />
          ))}
        </Stack>

        {disabled.size > 0 ? (
          <Alert severity="warning" sx={{ mb: 1 }} data-testid="preview-disabled-channels">
            {[...disabled].map(([channel, reason], i) => `${i === 0 ? channelTitle(channel) : channelLabel(channel)} cannot send (${reason})`).join('; ')}: the plan below goes around{' '}
            {disabled.size > 1 ? 'them' : 'it'}, as the engine does.
          </Alert>
        ) : null}
        {problems.length > 0 ? (
          <Alert severity="info" data-testid="preview-problems">
            The preview needs a valid campaign:
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {problems.slice(0, 6).map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Alert>
        ) : null}

        {result && problems.length === 0 ? (
          <Box>
            {!result.eligible ? <Alert severity="warning">Not eligible: {words(result.ineligibleReason ?? 'unknown')}</Alert> : null}
            {/* The picture: abandonment on the left, the enrollment's expiry on the right. */}
            <Box sx={{ position: 'relative', height: 56, mx: 1, my: 2 }} aria-label="timeline">
              <Box sx={{ position: 'absolute', top: 27, left: 0, right: 0, height: 2, bgcolor: 'divider' }} />
              <Typography variant="caption" sx={{ position: 'absolute', top: 34, left: 0 }}>
                abandoned
              </Typography>
              <Typography variant="caption" sx={{ position: 'absolute', top: 34, right: 0 }}>
                expires {offsetLabel(new Date(abandonedAt).toISOString(), result.expiresAt)}
              </Typography>
              {result.messages.map((m) => (
                <Tooltip key={`${m.stepIndex}-${m.at}`} title={`Step ${m.stepIndex + 1}: ${channelLabel(m.channel)} at ${m.localTime}`}>
                  <Box sx={{ position: 'absolute', left: position(m.at), top: 14, transform: 'translateX(-50%)', textAlign: 'center' }}>
                    <Box sx={{ width: 28, height: 28, borderRadius: '50%', bgcolor: 'background.paper', border: 2, borderColor: CHANNEL_COLORS[m.channel], display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
                      <ChannelIcon channel={m.channel} fontSize="inherit" />
                    </Box>
                  </Box>
                </Tooltip>
              ))}
            </Box>
            <Stack spacing={1} data-testid="preview-messages">
              {result.messages.map((m) => (
                <Stack sx={{ alignItems: 'center', flexWrap: 'wrap' }} key={`${m.stepIndex}-${m.at}`} direction="row" spacing={1} useFlexGap data-testid="preview-message">
                  <ChannelIcon channel={m.channel} />
                  <Typography variant="body2" sx={{ minWidth: 210 }}>
                    <strong>Step {m.stepIndex + 1}</strong> · {channelLabel(m.channel)} · {m.localTime} ({offsetLabel(new Date(abandonedAt).toISOString(), m.at)})
                  </Typography>
                  {m.deferredBy.map((d) => (
                    <Chip key={d} size="small" color="warning" variant="outlined" label={`held: ${words(d)}`} />
                  ))}
                  {m.skipped.map((s) => (
                    <Chip
                      key={s.channel}
                      size="small"
                      variant="outlined"
                      color={s.reason === 'channel_disabled' ? 'error' : 'default'}
                      data-testid={s.reason === 'channel_disabled' ? 'preview-channel-disabled' : undefined}
                      label={s.reason === 'channel_disabled' ? `${channelLabel(s.channel)} cannot send: ${disabled.get(s.channel) ?? 'disabled'}` : `${channelLabel(s.channel)} skipped: ${words(s.reason)}`}
                    />
                  ))}
                  {m.skippedSteps.length ? (
                    <Chip size="small" variant="outlined" color={stepsCannotSend(m.skippedSteps) ? 'error' : 'default'} label={`step${m.skippedSteps.length > 1 ? 's' : ''} ${m.skippedSteps.map((i) => i + 1).join(', ')} skipped${stepsCannotSend(m.skippedSteps) ? ': no channel can send' : ''}`} />
                  ) : null}
                  {m.offer ? <Chip size="small" color="success" label={`${m.offer.ruleName}: ${m.offer.type === 'percent' ? `${m.offer.percent}%` : words(m.offer.type)} (${money(m.offer.discountValue)})`} /> : null}
                </Stack>
              ))}
              <Typography variant="caption" color="text.secondary" data-testid="preview-end">
                then: {words(result.end.reason)}
                {result.end.reason === 'no_reachable_channel' && disabled.size > 0 ? ` (the steps left use only channels this shopper lacks or that cannot send: ${[...disabled.keys()].map(channelLabel).join(', ')})` : ''}
              </Typography>
            </Stack>
          </Box>
        ) : null}
      </CardContent>
    </Card>
  );
}
