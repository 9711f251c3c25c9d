import { Chip, Stack } from '@mui/material';
import { CreateButton, Datagrid, FunctionField, List, NumberField, SearchInput, SelectInput, TextField, TopToolbar, ExportButton } from 'react-admin';
import { useCanEdit } from '../auth/roles';
import { ChannelIcon } from '../common/channels';
import { count, money } from '../common/format';
import type { CampaignStep } from '../data/types';
import { CampaignStatusButton } from './CampaignStatusButton';

interface CampaignRow {
  id: string;
  status: 'active' | 'paused';
  steps: CampaignStep[];
  last7Days?: { enrolled: number; messagesSent: number; recovered: number; recoveredRevenue: number };
}

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput
    key="status"
    source="status"
    choices={[
      { id: 'active', name: 'active' },
      { id: 'paused', name: 'paused' },
    ]}
  />,
];

function Actions() {
  const canEdit = useCanEdit();
  return (
    <TopToolbar>
      {canEdit ? <CreateButton /> : null}
      <ExportButton />
    </TopToolbar>
  );
}

export function CampaignList() {
  return (
    <List sort={{ field: 'priority', order: 'ASC' }} filters={filters} actions={<Actions />}>
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <TextField source="name" />
        <FunctionField<CampaignRow> label="Status" render={(r) => <Chip size="small" color={r.status === 'active' ? 'success' : 'default'} label={r.status} />} />
        <NumberField source="priority" />
        <FunctionField<CampaignRow>
          label="Steps"
          render={(r) => (
            <Stack direction="row" spacing={0.5}>
              {r.steps.map((s, i) => (
                <ChannelIcon key={i} channel={s.channels[0]} />
              ))}
            </Stack>
          )}
        />
        <FunctionField<CampaignRow> label="Enrolled (7 d)" textAlign="right" render={(r) => count(r.last7Days?.enrolled)} />
        <FunctionField<CampaignRow> label="Sent (7 d)" textAlign="right" render={(r) => count(r.last7Days?.messagesSent)} />
        <FunctionField<CampaignRow> label="Recovered (7 d)" textAlign="right" render={(r) => count(r.last7Days?.recovered)} />
        <FunctionField<CampaignRow> label="Revenue (7 d)" textAlign="right" render={(r) => money(r.last7Days?.recoveredRevenue)} />
        <CampaignStatusButton />
      </Datagrid>
    </List>
  );
}
