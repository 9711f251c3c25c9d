import StorefrontIcon from '@mui/icons-material/Storefront';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from '@mui/material';
import { useState } from 'react';
import {
  BooleanField,
  BooleanInput,
  Create,
  CreateButton,
  Datagrid,
  DateField,
  Edit,
  FunctionField,
  List,
  PasswordInput,
  SaveButton,
  SimpleForm,
  TextField,
  TextInput,
  Toolbar,
  TopToolbar,
  required,
  useRedirect,
} from 'react-admin';
import { useIsAdmin } from '../auth/roles';

/** Allowed origins are edited one per line; empty lines are dropped when saving. */
const origins = {
  format: (value: string[] | string | undefined) => (Array.isArray(value) ? value.join('\n') : (value ?? '')),
  parse: (text: string) => text.split('\n'),
};

interface SourceValues {
  name: string;
  allowedOrigins?: string[];
  shopifySecret?: string | null;
  removeShopifySecret?: boolean;
  enabled?: boolean;
  requireEmailOptIn?: boolean;
  defaultCurrency?: string;
}

/** The server checks the code against ISO 4217 too; this catches typos before saving. */
const currencyCode = (value: string | undefined) =>
  value && !/^[A-Z]{3}$/.test(value) ? 'Three upper-case letters (ISO 4217), such as EUR' : undefined;
const upperCase = (text: string) => text.toUpperCase();

const cleanOrigins = (value: string[] | undefined) => (value ?? []).map((o) => o.trim()).filter(Boolean);

const createBody = (v: SourceValues) => ({
  name: v.name,
  allowedOrigins: cleanOrigins(v.allowedOrigins),
  requireEmailOptIn: v.requireEmailOptIn ?? false,
  defaultCurrency: v.defaultCurrency || 'USD',
  ...(v.shopifySecret ? { shopifySecret: v.shopifySecret } : {}),
});

const updateBody = (v: SourceValues) => ({
  name: v.name,
  allowedOrigins: cleanOrigins(v.allowedOrigins),
  enabled: v.enabled,
  requireEmailOptIn: v.requireEmailOptIn,
  defaultCurrency: v.defaultCurrency,
  ...(v.removeShopifySecret ? { shopifySecret: null } : v.shopifySecret ? { shopifySecret: v.shopifySecret } : {}),
});

function SourceFields({ edit }: { edit: boolean }) {
  return (
    <>
      <TextInput source="name" validate={required()} sx={{ minWidth: 320 }} />
      <TextInput source="allowedOrigins" label="Allowed browser origins (one per line)" multiline minRows={3} format={origins.format} parse={origins.parse} fullWidth helperText="e.g. https://shop.example; the tracker may post from these" />
      <PasswordInput source="shopifySecret" label={edit ? 'New Shopify secret (empty: keep)' : 'Shopify secret (optional)'} sx={{ minWidth: 320 }} />
      {edit ? <BooleanInput source="removeShopifySecret" label="Remove the Shopify secret" /> : null}
      <BooleanInput source="requireEmailOptIn" label="Email only with an explicit opt-in (EU)" />
      <TextInput
        source="defaultCurrency"
        label="Default currency"
        defaultValue="USD"
        parse={upperCase}
        validate={[required(), currencyCode]}
        helperText="ISO 4217, for events that do not name their currency (Segment's spec does not require it)"
        sx={{ minWidth: 320 }}
      />
      {edit ? <BooleanInput source="enabled" /> : null}
    </>
  );
}

const SourceList = () => {
  const isAdmin = useIsAdmin();
  return (
    <List sort={{ field: 'createdAt', order: 'ASC' }} actions={<TopToolbar>{isAdmin ? <CreateButton /> : null}</TopToolbar>}>
      <Datagrid rowClick={isAdmin ? 'edit' : false} bulkActionButtons={false}>
        <TextField source="name" />
        <FunctionField<{ writeKeyPrefix: string }> label="Write key" render={(r) => <code>{r.writeKeyPrefix}…</code>} />
        <FunctionField<{ allowedOrigins: string[] }> label="Allowed origins" render={(r) => r.allowedOrigins.join(', ') || '—'} />
        <BooleanField source="hasShopifySecret" label="Shopify" />
        <BooleanField source="requireEmailOptIn" label="Opt-in email" />
        <TextField source="defaultCurrency" label="Currency" />
        <BooleanField source="enabled" />
        <DateField source="createdAt" />
      </Datagrid>
    </List>
  );
};

const SourceEdit = () => {
  const isAdmin = useIsAdmin();
  return (
    <Edit mutationMode="pessimistic" transform={updateBody}>
      <SimpleForm toolbar={isAdmin ? <Toolbar><SaveButton /></Toolbar> : false}>
        <SourceFields edit />
      </SimpleForm>
    </Edit>
  );
};

/** The write key comes back once, on creation: shown here and nowhere else, ever. */
const SourceCreate = () => {
  const [created, setCreated] = useState<{ id: string; writeKey: string; name: string } | null>(null);
  const redirect = useRedirect();
  return (
    <>
      <Create transform={createBody} mutationOptions={{ onSuccess: (data: { id: string; writeKey: string; name: string }) => setCreated(data) }}>
        <SimpleForm>
          <SourceFields edit={false} />
        </SimpleForm>
      </Create>
      <Dialog open={!!created} maxWidth="md">
        <DialogTitle>Write key for {created?.name}</DialogTitle>
        <DialogContent>
          <Alert severity="warning" sx={{ mb: 2 }}>
            Copy it now: it is stored hashed and will not be shown again.
          </Alert>
          <Box component="pre" sx={{ p: 2, bgcolor: 'grey.100', fontSize: 15, userSelect: 'all' }} data-testid="write-key">
            {created?.writeKey}
          </Box>
          <Typography variant="body2">Send it as `Authorization: Bearer &lt;key&gt;`, as the Basic user (Segment), or as `?writeKey=` (Shopify webhooks, beacons).</Typography>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => navigator.clipboard?.writeText(created?.writeKey ?? '')}>Copy</Button>
          <Button variant="contained" onClick={() => redirect('list', 'sources')}>
            Done
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
};

export default { list: SourceList, edit: SourceEdit, create: SourceCreate, icon: StorefrontIcon };
