import PauseIcon from '@mui/icons-material/Pause';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { Button, useDataProvider, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { useState } from 'react';
import { useCanEdit } from '../auth/roles';
import type { AppDataProvider } from '../data/dataProvider';

/** Activate or pause: its own endpoint, so it never collides with an edit in progress. */
export function CampaignStatusButton() {
  const record = useRecordContext<{ id: string; status: 'active' | 'paused' }>();
  const dataProvider = useDataProvider<AppDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const canEdit = useCanEdit();
  const [busy, setBusy] = useState(false);
  if (!record || !canEdit) return null;
  const active = record.status === 'active';
  return (
    <Button
      label={active ? 'Pause' : 'Activate'}
      disabled={busy}
      onClick={async (event) => {
        event.stopPropagation();
        setBusy(true);
        try {
          await (active ? dataProvider.pauseCampaign(record.id) : dataProvider.activateCampaign(record.id));
          notify(active ? 'Campaign paused' : 'Campaign active', { type: 'success' });
          refresh();
        } catch (error) {
          notify((error as Error).message, { type: 'error' });
        } finally {
          setBusy(false);
        }
      }}
    >
      {active ? <PauseIcon /> : <PlayArrowIcon />}
    </Button>
  );
}
