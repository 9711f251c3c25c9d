import HistoryEduIcon from '@mui/icons-material/HistoryEdu';
import { Box, Typography } from '@mui/material';
import { Datagrid, DateField, DateInput, List, SelectInput, TextField, TextInput, useRecordContext } from 'react-admin';

const RESOURCES = ['campaigns', 'discount_rules', 'templates', 'customers', 'sources', 'users', 'model_versions', 'training_runs'].map((r) => ({ id: r, name: r.replace(/_/g, ' ') }));

function BeforeAfter() {
  const r = useRecordContext<{ before: unknown; after: unknown }>();
  if (!r) return null;
  const block = (title: string, value: unknown) => (
    <Box sx={{ flex: 1, minWidth: 0 }}>
      <Typography variant="subtitle2">{title}</Typography>
      <Box component="pre" sx={{ fontSize: 12, bgcolor: 'grey.100', p: 1, overflow: 'auto', maxHeight: 360 }}>
        {value === null || value === undefined ? '—' : JSON.stringify(value, null, 2)}
      </Box>
    </Box>
  );
  return (
    <Box sx={{ display: 'flex', gap: 2 }}>
      {block('Before', r.before)}
      {block('After', r.after)}
    </Box>
  );
}

const filters = [
  <SelectInput key="resource" source="resource" choices={RESOURCES} alwaysOn />,
  <TextInput key="actor" source="actor" />,
  <TextInput key="action" source="action" />,
  <DateInput key="from" source="from" />,
  <DateInput key="to" source="to" />,
];

const AuditLogList = () => (
  <List sort={{ field: 'at', order: 'DESC' }} filters={filters}>
    <Datagrid expand={<BeforeAfter />} bulkActionButtons={false} rowClick="expand">
      <DateField source="at" showTime />
      <TextField source="actor" />
      <TextField source="action" />
      <TextField source="resource" />
      <TextField source="resourceId" emptyText="—" />
    </Datagrid>
  </List>
);

export default { list: AuditLogList, icon: HistoryEduIcon };
