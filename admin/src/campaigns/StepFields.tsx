import { Alert, Box, Stack, Typography } from '@mui/material';
import { useWatch } from 'react-hook-form';
import { NumberInput, ReferenceInput, SelectInput, TextInput, useSimpleFormIteratorItem, useWrappedSource } from 'react-admin';
import { ChannelIcon, channelLabel } from '../common/channels';
import { useDisabledChannels } from '../common/ChannelStatus';
import { inputRow } from '../common/layout';
import type { ChannelChoice, ChannelKind } from '../data/types';
import { ChannelOrderInput } from './ChannelOrderInput';
import { DelayInput } from './DelayInput';
import { VariantsInput } from './VariantsInput';

/** Typed as text ("15, 60, 240"); `toCampaignBody` turns it into numbers when saving. */
const arms = {
  format: (value: number[] | string | null | undefined) => (Array.isArray(value) ? value.join(', ') : (value ?? '')),
  parse: (text: string) => text,
};

/** The templates a step needs: one per concrete channel; `last engaged` may use any of the three. */
function templateChannels(channels: ChannelChoice[]): ChannelKind[] {
  const concrete = new Set(channels.filter((c): c is ChannelKind => c !== 'last_engaged'));
  if (channels.includes('last_engaged')) for (const c of ['push', 'email', 'sms'] as const) concrete.add(c);
  return (['push', 'email', 'sms'] as const).filter((c) => concrete.has(c));
}

/** One step of the sequence: when, through which channels, with which templates, offer and fallback; its A/B test. */
export function StepFields() {
  const { index } = useSimpleFormIteratorItem();
  const channels = (useWatch({ name: useWrappedSource('channels') }) as ChannelChoice[] | undefined) ?? [];
  const until = useWatch({ name: useWrappedSource('waterfall.until') }) as string | undefined;
  const disabled = useDisabledChannels();
  // 'last engaged' may be any channel: the step cannot send only when every channel it could use is disabled.
  const usable = templateChannels(channels);
  const cannotSend = usable.length > 0 && usable.every((c) => disabled.has(c)) ? usable.map((c) => `${channelLabel(c)}: ${disabled.get(c)}`).join('; ') : null;
  return (
    <Box sx={{ py: 1, width: '100%' }} data-testid={`step-${index}`}>
      <Typography variant="subtitle2" sx={{ mb: 1 }}>
        Step {index + 1}
      </Typography>
      <Stack sx={{ alignItems: 'flex-start', flexWrap: 'wrap' }} direction="row" spacing={2} useFlexGap>
        <DelayInput source="delayMinutes" label="after abandonment" />
        <ChannelOrderInput source="channels" />
      </Stack>
      {cannotSend ? (
        <Alert severity="error" sx={{ my: 1 }} data-testid={`step-${index}-cannot-send`}>
          Step {index + 1} cannot send: {cannotSend}. It is passed over for every shopper.
        </Alert>
      ) : null}
      <Box sx={inputRow}>
        {templateChannels(channels).map((channel) => (
          <ReferenceInput key={channel} source={`templates.${channel}`} reference="templates" filter={{ channel }} sort={{ field: 'key', order: 'ASC' }} perPage={100}>
            <SelectInput
              label={
                <Stack sx={{ alignItems: 'center' }} direction="row" spacing={0.5} component="span">
                  <ChannelIcon channel={channel} fontSize="inherit" />
                  <span>{channelLabel(channel)} template</span>
                </Stack>
              }
              optionText={(t: { key: string; name: string }) => `${t.name} (${t.key})`}
              emptyText="—"
            />
          </ReferenceInput>
        ))}
        <ReferenceInput source="discountRuleId" reference="discount-rules" sort={{ field: 'priority', order: 'ASC' }} perPage={100}>
          <SelectInput label="Discount rule" optionText="name" emptyText="Any matching rule" />
        </ReferenceInput>
        <NumberInput source="discountPct" label="Fixed offer (%)" helperText="empty: the policy picks within the rule" min={0} max={100} step={1} />
      </Box>
      <Box sx={inputRow}>
        <SelectInput
          source="waterfall.until"
          label="Fall back to the next channel"
          emptyText="never"
          choices={[
            { id: 'delivered', name: 'when not delivered' },
            { id: 'clicked', name: 'when not clicked' },
          ]}
        />
        {until ? <NumberInput source="waterfall.afterMinutes" label="within (minutes)" min={1} /> : null}
        <TextInput source="sendTimeArms" label="Send-time options (minutes)" helperText="the bandit picks one per segment; empty: always the delay" format={arms.format} parse={arms.parse} />
      </Box>
      <VariantsInput stepIndex={index} channels={templateChannels(channels)} />
    </Box>
  );
}
