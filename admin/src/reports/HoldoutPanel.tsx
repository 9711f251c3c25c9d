import RestartAltIcon from '@mui/icons-material/RestartAlt';
import { Box, Button, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { Confirm, HttpError, useNotify } from 'react-admin';
import { useCanEdit, useIsAdmin } from '../auth/roles';
import { dateTime } from '../common/format';
import type { Lift } from './lift-format';
import { setGlobalHoldout, startExperimentPeriod } from './lift-api';

/** The store-wide share, editable in place by admins (the server refuses everyone else). */
function GlobalHoldout({ percent, onChanged }: { percent: number; onChanged: () => void }) {
  const isAdmin = useIsAdmin();
  const notify = useNotify();
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!isAdmin) return <Typography data-testid="holdout-global">Store-wide: {percent} %</Typography>;
  const value = draft ?? String(percent);
  const save = async () => {
    setBusy(true);
    try {
      const saved = await setGlobalHoldout(value === '' ? Number.NaN : Number(value));
      notify(`Store-wide holdout: ${saved.globalHoldoutPercent} %`, { type: 'success' });
      setDraft(null);
      setError(null);
      onChanged();
    } catch (e) {
      const http = e instanceof HttpError ? e : null;
      setError((http?.body?.errors?.globalHoldoutPercent as string | undefined) ?? http?.message ?? String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
      <TextField
        size="small"
        type="number"
        label="Store-wide holdout (%)"
        value={value}
        onChange={(e) => setDraft(e.target.value)}
        error={!!error}
        helperText={error ?? 'every campaign, on top of its own'}
        slotProps={{ htmlInput: { min: 0, max: 50, step: 1, 'data-testid': 'holdout-global-input' } }}
        sx={{ width: 200 }}
      />
      <Button size="small" variant="outlined" disabled={busy || draft === null || Number(value) === percent} onClick={save} sx={{ mt: 0.5 }}>
        Save
      </Button>
    </Stack>
  );
}

/**
 * Who is held out: the selected campaign's share, the store-wide one, and the experiment period (its secret draws
 * who is held out; a new period reshuffles everyone from now on).
 */
export function HoldoutPanel({ holdout, campaignSelected, onChanged }: { holdout: Lift['holdout']; campaignSelected: boolean; onChanged: () => void }) {
  const canEdit = useCanEdit();
  const notify = useNotify();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <Card variant="outlined" sx={{ flex: '1 1 260px' }} data-testid="lift-holdout">
      <CardContent>
        <Typography variant="caption" color="text.secondary">
          Holdout
        </Typography>
        <Stack spacing={1} sx={{ mt: 0.5 }}>
          {campaignSelected ? (
            <Typography data-testid="holdout-campaign">
              This campaign: <strong>{holdout.campaignPercent ?? 0} %</strong>
            </Typography>
          ) : null}
          <GlobalHoldout percent={holdout.globalPercent} onChanged={onChanged} />
          <Typography variant="body2" data-testid="holdout-period">
            Period {holdout.period}, since {dateTime(holdout.periodStartedAt)}
          </Typography>
          {canEdit ? (
            <Box>
              <Button size="small" color="warning" startIcon={<RestartAltIcon />} onClick={() => setConfirming(true)} disabled={busy}>
                Start a new experiment period
              </Button>
            </Box>
          ) : null}
        </Stack>
        <Confirm
          isOpen={confirming}
          loading={busy}
          title="Start a new experiment period?"
          content="Who is held out is reshuffled from now on: every new abandonment is drawn afresh, so shoppers held out until now may be reminded and others held out instead. Enrollments already made keep their group, and their results stay in this report. The change is recorded in the audit log."
          confirm="Start new period"
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            setBusy(true);
            try {
              const next = await startExperimentPeriod();
              notify(`Experiment period ${next.period} started`, { type: 'success' });
              onChanged();
            } catch (e) {
              notify((e as Error).message, { type: 'error' });
            } finally {
              setBusy(false);
              setConfirming(false);
            }
          }}
        />
      </CardContent>
    </Card>
  );
}
