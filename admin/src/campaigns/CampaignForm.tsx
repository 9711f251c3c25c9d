import { Box, Divider, Typography } from '@mui/material';
import { ArrayInput, NumberInput, SaveButton, SelectArrayInput, SelectInput, SimpleForm, SimpleFormIterator, TextInput, Toolbar, required } from 'react-admin';
import { useCanEdit } from '../auth/roles';
import { inputRow } from '../common/layout';
import { STAGES } from '../data/types';
import { StepFields } from './StepFields';
import { TimelinePreview } from './TimelinePreview';

function Section({ title }: { title: string }) {
  return (
    <Box sx={{ width: '100%', mt: 2 }}>
      <Typography variant="subtitle1">{title}</Typography>
      <Divider />
    </Box>
  );
}


/** Campaign create/edit: settings and steps on the left, the live timeline preview on the right. */
export function CampaignForm() {
  const canEdit = useCanEdit();
  return (
    <SimpleForm
      toolbar={
        canEdit ? (
          <Toolbar>
            <SaveButton />
          </Toolbar>
        ) : (
          false
        )
      }
      warnWhenUnsavedChanges
    >
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: 'minmax(0, 3fr) minmax(360px, 2fr)' }, gap: 3, width: '100%' }}>
        <Box>
          <Box sx={inputRow}>
            <TextInput source="name" validate={required()} />
            <NumberInput source="priority" helperText="lower runs first" min={0} />
          </Box>
          <Box sx={inputRow}>
            <NumberInput source="triggerIdleMinutes" label="Abandoned after (idle minutes)" min={1} />
            <NumberInput source="expiryHours" label="Ends after (hours)" min={1} />
            <NumberInput source="attributionWindowHours" label="Attribution window (hours)" min={1} />
          </Box>

          <Section title="Who enters" />
          <Box sx={inputRow}>
            <NumberInput source="eligibility.minCartValue" label="Min cart value" />
            <NumberInput source="eligibility.maxCartValue" label="Max cart value" />
            <SelectInput
              source="eligibility.customerType"
              label="Customers"
              choices={[
                { id: 'any', name: 'any' },
                { id: 'new', name: 'new' },
                { id: 'returning', name: 'returning' },
              ]}
            />
            <SelectArrayInput source="eligibility.stages" label="Reached stage" choices={STAGES.map((s) => ({ id: s, name: s }))} sx={{ minWidth: 200 }} />
          </Box>

          <Section title="Steps" />
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
        </Box>
        <Box sx={{ position: { lg: 'sticky' }, top: { lg: 64 }, alignSelf: 'start' }}>
          <TimelinePreview />
        </Box>
      </Box>
    </SimpleForm>
  );
}
