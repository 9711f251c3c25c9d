import { Box } from '@mui/material';
import { ArrayInput, NumberInput, SelectArrayInput, SelectInput, SimpleFormIterator, TextInput, required } from 'react-admin';
import { ChannelStatusPanel } from '../common/ChannelStatus';
import { CUSTOMER_TYPE_CHOICES, FormWithAside, Section, STAGE_CHOICES } from '../common/forms';
import { inputRow } from '../common/layout';
import { StepFields } from './StepFields';
import { TimelinePreview } from './TimelinePreview';

/** Campaign create/edit: settings and steps on the left, the live timeline preview on the right. */
export function CampaignForm() {
  return (
    <FormWithAside aside={<TimelinePreview />} asideMinWidth={360}>
      <Box sx={inputRow}>
        <TextInput source="name" validate={required()} />
        <NumberInput source="priority" helperText="lower runs first" min={0} />
      </Box>
      <Box sx={inputRow}>
        <NumberInput source="triggerIdleMinutes" label="Abandoned after (idle minutes)" min={1} />
        <NumberInput source="expiryHours" label="Ends after (hours)" min={1} />
        <NumberInput source="attributionWindowHours" label="Attribution window (hours)" min={1} />
        <NumberInput
          source="holdoutPercent"
          label="Holdout (%)"
          min={0}
          max={50}
          step={1}
          helperText="held out: planned, never sent — the control group the Lift report compares with"
        />
      </Box>

      <Section title="Who enters" />
      <Box sx={inputRow}>
        <NumberInput source="eligibility.minCartValue" label="Min cart value" />
        <NumberInput source="eligibility.maxCartValue" label="Max cart value" />
        <SelectInput
          source="eligibility.customerType"
          label="Customers"
          choices={CUSTOMER_TYPE_CHOICES}
        />
        <SelectArrayInput source="eligibility.stages" label="Reached stage" choices={STAGE_CHOICES} sx={{ minWidth: 200 }} />
      </Box>

      <Section title="Steps" />
      <ChannelStatusPanel />
      <ArrayInput source="steps" label={false}>
        <SimpleFormIterator fullWidth addButton={undefined} disableClear>
          <StepFields />
        </SimpleFormIterator>
      </ArrayInput>

      <Section title="Quiet hours and frequency caps" />
      <Box sx={inputRow}>
        <TextInput source="quietHours.start" label="Quiet from (HH:MM)" type="time" />
        <TextInput source="quietHours.end" label="until (HH:MM)" type="time" />
      </Box>
      <Box sx={inputRow}>
        <NumberInput source="frequencyCap.maxMessages" label="At most (messages)" min={1} />
        <NumberInput source="frequencyCap.windowHours" label="per (hours)" min={1} />
        <NumberInput source="frequencyCap.minGapHours" label="at least (hours) apart" min={0} />
      </Box>
    </FormWithAside>
  );
}
