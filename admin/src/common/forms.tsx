import { Box, Divider, MenuItem, TextField, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { SaveButton, SimpleForm, Toolbar } from 'react-admin';
import { useCanEdit } from '../auth/roles';
import { type CheckoutStage, STAGES } from '../data/types';

export const CUSTOMER_TYPE_CHOICES = [
  { id: 'any', name: 'any' },
  { id: 'new', name: 'new' },
  { id: 'returning', name: 'returning' },
];

export const STAGE_CHOICES = STAGES.map((s) => ({ id: s, name: s }));

/** A titled divider between groups of inputs. */
export function Section({ title, hint }: { title: string; hint?: string }) {
  return (
    <Box sx={{ width: '100%', mt: 2 }}>
      <Typography variant="subtitle1">{title}</Typography>
      {hint ? (
        <Typography variant="caption" color="text.secondary">
          {hint}
        </Typography>
      ) : null}
      <Divider />
    </Box>
  );
}

/** An edit form with a live panel beside it (sticky on wide screens); only editors get the save button. */
export function FormWithAside({ aside, asideMinWidth, children }: { aside: ReactNode; asideMinWidth: number; children: ReactNode }) {
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
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: `minmax(0, 3fr) minmax(${asideMinWidth}px, 2fr)` }, gap: 3, width: '100%' }}>
        <Box>{children}</Box>
        <Box sx={{ position: { lg: 'sticky' }, top: { lg: 64 }, alignSelf: 'start' }}>{aside}</Box>
      </Box>
    </SimpleForm>
  );
}

/** The stages a still-open checkout can be at, as a small select for the preview panels. */
export function OpenStageField({ value, onChange }: { value: CheckoutStage; onChange: (stage: CheckoutStage) => void }) {
  return (
    <TextField size="small" select label="stage" value={value} onChange={(e) => onChange(e.target.value as CheckoutStage)} sx={{ width: 120 }}>
      {STAGES.filter((s) => s !== 'completed').map((s) => (
        <MenuItem key={s} value={s}>
          {s}
        </MenuItem>
      ))}
    </TextField>
  );
}
