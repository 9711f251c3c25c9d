import AddIcon from '@mui/icons-material/Add';
import { Box, Checkbox, FormControlLabel, Stack, Typography } from '@mui/material';
import { useWatch } from 'react-hook-form';
import { ArrayInput, Button, NumberInput, ReferenceInput, SelectInput, SimpleFormIterator, TextInput, useInput, useSimpleFormIterator, useSimpleFormIteratorItem, useWrappedSource } from 'react-admin';
import { ChannelIcon, channelLabel } from '../common/channels';
import { inputRow } from '../common/layout';
import type { ChannelKind } from '../data/types';
import type { FormVariant } from './campaign-body';

const MAX_VARIANTS = 5;

/** "weights: 90 / 100", in the error colour until the shares add up (the API refuses anything else). */
function WeightSum({ variants, stepIndex }: { variants: FormVariant[]; stepIndex: number }) {
  const sum = variants.reduce((total, v) => total + (Number(v?.weight) || 0), 0);
  const ok = sum === 100;
  return (
    <Typography variant="body2" sx={{ color: ok ? 'success.main' : 'error.main', fontWeight: ok ? undefined : 600 }} data-testid={`variant-weights-${stepIndex}`} data-ok={ok}>
      weights: {sum} / 100{ok ? '' : ' (must be 100)'}
    </Typography>
  );
}

/** A new variant gets the next letter and what is left of the 100 (half for the first), so two clicks give 50/50. */
function AddVariantButton() {
  const { add, total } = useSimpleFormIterator();
  const source = useWrappedSource('');
  const variants = (useWatch({ name: source }) as FormVariant[] | null | undefined) ?? [];
  const left = 100 - variants.reduce((sum, v) => sum + (Number(v?.weight) || 0), 0);
  return (
    <Button
      label="Add variant"
      disabled={total >= MAX_VARIANTS}
      onClick={() => add({ name: `Variant ${String.fromCharCode(65 + total)}`, weight: total === 0 ? 50 : left > 0 ? left : null, paused: false })}
    >
      <AddIcon />
    </Button>
  );
}

/** A plain checkbox bound to the form (react-admin's BooleanInput is a switch). */
function PausedInput() {
  const { field } = useInput<boolean>({ source: 'paused' });
  return <FormControlLabel sx={{ mb: 2.5 }} control={<Checkbox size="small" checked={!!field.value} onChange={(e) => field.onChange(e.target.checked)} onBlur={field.onBlur} />} label="paused" />;
}

/** One variant: its name and share, the templates it swaps in (for the step's channels only), its offer. */
function VariantFields({ stepIndex, channels }: { stepIndex: number; channels: ChannelKind[] }) {
  const { index } = useSimpleFormIteratorItem();
  return (
    <Box sx={{ width: '100%' }} data-testid={`variant-${stepIndex}-${index}`}>
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <TextInput source="name" label="Variant name" sx={{ width: 160 }} />
        <NumberInput source="weight" label="Weight (%)" min={1} max={100} step={1} sx={{ width: 100 }} />
        <NumberInput source="discountPct" label="Offer (%)" helperText="empty: the step's" min={0} max={100} step={1} sx={{ width: 150 }} />
        <PausedInput />
      </Stack>
      {/* The templates it swaps in; left empty, the step's own. */}
      <Box sx={inputRow}>
        {channels.map((channel) => (
          <ReferenceInput key={channel} source={`templates.${channel}`} reference="templates" filter={{ channel }} sort={{ field: 'key', order: 'ASC' }} perPage={100}>
            <SelectInput
              label={
                <Stack sx={{ alignItems: 'center' }} direction="row" spacing={0.5} component="span">
                  <ChannelIcon channel={channel} fontSize="inherit" />
                  <span>{channelLabel(channel)} template</span>
                </Stack>
              }
              optionText={(t: { key: string; name: string }) => `${t.name} (${t.key})`}
              emptyText="the step's"
            />
          </ReferenceInput>
        ))}
      </Box>
    </Box>
  );
}

/**
 * The step's A/B/n test: 2–5 variants, each drawn for its share of the enrollments reaching the step. The running
 * sum sits next to the list; the API's own messages (`steps.N.variants…`) land under the list and its inputs.
 */
export function VariantsInput({ stepIndex, channels }: { stepIndex: number; channels: ChannelKind[] }) {
  const variants = (useWatch({ name: useWrappedSource('variants') }) as FormVariant[] | null | undefined) ?? [];
  return (
    <Box sx={{ mt: 1, width: '100%' }} data-testid={`ab-test-${stepIndex}`}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'baseline' }}>
        <Typography variant="body2" sx={{ fontWeight: 600 }}>
          A/B test
        </Typography>
        {variants.length > 0 ? (
          <WeightSum variants={variants} stepIndex={stepIndex} />
        ) : (
          <Typography variant="caption" color="text.secondary">
            not tested: add 2–5 variants to compare templates or offers (the Lift report shows which wins)
          </Typography>
        )}
      </Stack>
      <ArrayInput source="variants" label={false} helperText={false}>
        <SimpleFormIterator disableClear disableReordering addButton={<AddVariantButton />} fullWidth>
          <VariantFields stepIndex={stepIndex} channels={channels} />
        </SimpleFormIterator>
      </ArrayInput>
    </Box>
  );
}
