import ManageAccountsIcon from '@mui/icons-material/ManageAccounts';
import { BooleanField, BooleanInput, Create, Datagrid, DateField, Edit, List, PasswordInput, SearchInput, SelectInput, SimpleForm, TextField, TextInput, email, required } from 'react-admin';

const ROLES = [
  { id: 'admin', name: 'admin: everything, users and sources' },
  { id: 'marketer', name: 'marketer: campaigns, rules, templates, opt-outs' },
  { id: 'analyst', name: 'analyst: reads everything, changes nothing' },
];

const UserList = () => (
  <List sort={{ field: 'createdAt', order: 'ASC' }} filters={[<SearchInput key="q" source="q" alwaysOn />]}>
    <Datagrid rowClick="edit" bulkActionButtons={false}>
      <TextField source="email" />
      <TextField source="name" emptyText="—" />
      <TextField source="role" />
      <BooleanField source="disabled" />
      <DateField source="lastLoginAt" showTime emptyText="never" />
      <DateField source="createdAt" />
    </Datagrid>
  </List>
);

type UserValues = { email?: string; name?: string | null; role: string; disabled?: boolean; password?: string };

// PUT takes only these; an empty password field leaves the password alone.
const updateBody = (v: UserValues) => ({ role: v.role, name: v.name || null, disabled: !!v.disabled, ...(v.password ? { password: v.password } : {}) });
const createBody = (v: UserValues) => ({ email: v.email, role: v.role, password: v.password, ...(v.name ? { name: v.name } : {}) });

const UserEdit = () => (
  <Edit mutationMode="pessimistic" transform={updateBody}>
    <SimpleForm>
      <TextInput source="email" disabled />
      <TextInput source="name" />
      <SelectInput source="role" choices={ROLES} validate={required()} />
      <BooleanInput source="disabled" helperText="ends the user's sessions" />
      <PasswordInput source="password" label="New password (empty: keep)" helperText="at least 12 characters" />
    </SimpleForm>
  </Edit>
);

const UserCreate = () => (
  <Create transform={createBody} redirect="list">
    <SimpleForm>
      <TextInput source="email" validate={[required(), email()]} />
      <TextInput source="name" />
      <SelectInput source="role" choices={ROLES} validate={required()} />
      <PasswordInput source="password" validate={required()} helperText="at least 12 characters" />
    </SimpleForm>
  </Create>
);

export default { list: UserList, edit: UserEdit, create: UserCreate, icon: ManageAccountsIcon };
