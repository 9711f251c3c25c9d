import { MenuItem, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import { useInput } from 'react-admin';
import { type DelayUnit, splitDelay, UNIT_MINUTES } from '../common/format';

/** A delay stored in minutes, edited as an amount and a unit (minutes, hours or days). */
export function DelayInput({ source, label, helperText }: { source: string; label: string; helperText?: string }) {
  const { field, fieldState } = useInput<number>({ source, defaultValue: 60 });
  const initial = splitDelay(Number(field.value ?? 0));
  const [unit, setUnit] = useState<DelayUnit>(initial.unit);
  const minutes = Number(field.value ?? 0);
  const amount = minutes / UNIT_MINUTES[unit];
  const error = fieldState.error?.message;
  return (
    <Stack direction="row" spacing={1} sx={{ minWidth: 240 }}>
      <TextField
        label={label}
        type="number"
        size="small"
        value={Number.isInteger(amount) ? amount : Number(amount.toFixed(2))}
        onChange={(event) => field.onChange(Math.round(Number(event.target.value) * UNIT_MINUTES[unit]))}
        onBlur={field.onBlur}
        error={!!error}
        helperText={error ?? helperText ?? ' '}
        slotProps={{ htmlInput: { min: 0, step: 1, 'data-testid': `${source}-amount` } }}
        sx={{ width: 120 }}
      />
      <TextField
        select
        size="small"
        label="unit"
        value={unit}
        onChange={(event) => {
          // "3" then "days" means three days: the amount stays, the minutes follow the unit.
          const next = event.target.value as DelayUnit;
          setUnit(next);
          field.onChange(Math.round(amount * UNIT_MINUTES[next]));
        }}
        slotProps={{ htmlInput: { 'data-testid': `${source}-unit` } }}
        sx={{ width: 120 }}
        helperText=" "
      >
        <MenuItem value="minutes">minutes</MenuItem>
        <MenuItem value="hours">hours</MenuItem>
        <MenuItem value="days">days</MenuItem>
      </TextField>
    </Stack>
  );
}
