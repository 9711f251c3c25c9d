import DescriptionIcon from '@mui/icons-material/Description';
import { Alert, Box, Typography } from '@mui/material';
import { Create, CreateButton, Datagrid, DateField, ExportButton, FunctionField, List, SaveButton, SearchInput, SelectInput, SimpleForm, TextField, TextInput, Toolbar, TopToolbar, required } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { useCanEdit } from '../auth/roles';
import { ChannelIcon, channelLabel } from '../common/channels';
import { VersionedEdit } from '../common/VersionedEdit';
import { TemplatePreview } from './TemplatePreview';

const CHANNEL_CHOICES = [
  { id: 'email', name: 'email' },
  { id: 'push', name: 'push' },
  { id: 'sms', name: 'SMS' },
];

const VARIABLES = ['customer.firstName', 'customer.email', 'brand.name', 'cart.total', 'cart.itemCount', 'cart.currency', '#cart.items … /cart.items', 'links.resume', 'links.unsubscribe', 'offer.code', 'offer.description', 'offer.expiresAt'];

function Fields({ create }: { create: boolean }) {
  const channel = useWatch({ name: 'channel' }) as string | undefined;
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
        {create ? <TextInput source="key" validate={required()} helperText="letters, digits, - and _" /> : <TextInput source="key" disabled />}
        <SelectInput source="channel" choices={CHANNEL_CHOICES} validate={required()} disabled={!create} />
        <TextInput source="name" validate={required()} sx={{ minWidth: 260 }} />
      </Box>
      {channel === 'email' || channel === 'push' ? <TextInput source="subject" label={channel === 'email' ? 'Subject' : 'Title'} fullWidth /> : null}
      {channel === 'email' ? <TextInput source="html" label="HTML" multiline minRows={8} fullWidth slotProps={{ htmlInput: { style: { fontFamily: 'monospace', fontSize: 13 } } }} /> : null}
      <TextInput source="text" label={channel === 'email' ? 'Text part' : channel === 'sms' ? 'SMS body' : 'Body'} validate={required()} multiline minRows={4} fullWidth />
      <Alert severity="info" icon={false}>
        <Typography variant="caption">
          Mustache variables: {VARIABLES.map((v) => `{{${v}}}`).join(' · ')}. Customer data is escaped.
        </Typography>
      </Alert>
    </Box>
  );
}

function TemplateForm({ create = false }: { create?: boolean }) {
  const canEdit = useCanEdit();
  return (
    <SimpleForm toolbar={canEdit ? <Toolbar><SaveButton /></Toolbar> : false} warnWhenUnsavedChanges>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: 'minmax(0, 1fr) minmax(360px, 1fr)' }, gap: 3, width: '100%' }}>
        <Fields create={create} />
        <Box sx={{ position: { lg: 'sticky' }, top: { lg: 64 }, alignSelf: 'start' }}>
          <TemplatePreview />
        </Box>
      </Box>
    </SimpleForm>
  );
}

function Actions() {
  const canEdit = useCanEdit();
  return <TopToolbar>{canEdit ? <CreateButton /> : null}<ExportButton /></TopToolbar>;
}

const TemplateList = () => (
  <List
    sort={{ field: 'key', order: 'ASC' }}
    filters={[<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="channel" source="channel" choices={CHANNEL_CHOICES} />]}
    actions={<Actions />}
  >
    <Datagrid rowClick="edit" bulkActionButtons={false}>
      <FunctionField<{ channel: string }> label="Channel" render={(r) => <span title={channelLabel(r.channel)}><ChannelIcon channel={r.channel} /></span>} />
      <TextField source="key" />
      <TextField source="name" />
      <TextField source="subject" emptyText="—" />
      <DateField source="updatedAt" showTime />
    </Datagrid>
  </List>
);

const TemplateEdit = () => (
  <VersionedEdit>
    <TemplateForm />
  </VersionedEdit>
);

const TemplateCreate = () => (
  <Create record={{ channel: 'email' }} redirect="edit">
    <TemplateForm create />
  </Create>
);

export default { list: TemplateList, edit: TemplateEdit, create: TemplateCreate, icon: DescriptionIcon };
