import LocalOfferIcon from '@mui/icons-material/LocalOffer';
import { Chip } from '@mui/material';
import { BooleanField, Create, CreateButton, Datagrid, ExportButton, FunctionField, List, NumberField, SearchInput, TextField, TopToolbar } from 'react-admin';
import { useCanEdit } from '../auth/roles';
import { VersionedEdit } from '../common/VersionedEdit';
import { downloadCsv, toCsv } from '../common/csv';
import { money, words } from '../common/format';
import { RuleForm } from './RuleForm';

interface Rule {
  id: string;
  name: string;
  priority: number;
  enabled: boolean;
  offer: { type: string; amount: number; minPercent?: number | null; maxPercent?: number | null; maxDiscountValue?: number | null };
  conditions: Record<string, unknown>;
}

function offerText(offer: Rule['offer']): string {
  if (offer.type === 'percent') {
    const range = offer.minPercent != null || offer.maxPercent != null ? ` (${offer.minPercent ?? offer.amount}–${offer.maxPercent ?? offer.amount}%)` : '';
    return `${offer.amount}% off${range}`;
  }
  if (offer.type === 'fixed_amount') return `${money(offer.amount)} off`;
  return words(offer.type);
}

/** Steps are stored 0-based (as the planner counts them) and shown 1-based, as the campaign editor numbers them. */
export function stepsText(steps: unknown): string {
  return Array.isArray(steps) ? steps.map((i) => (typeof i === 'number' ? String(i + 1) : String(i))).join(', ') : String(steps);
}

export function conditionsText(conditions: Record<string, unknown>): string {
  const parts = Object.entries(conditions)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== 'any')
    .map(([k, v]) => `${k.replace(/([A-Z])/g, ' $1').toLowerCase()}: ${k === 'steps' ? stepsText(v) : Array.isArray(v) ? v.join(', ') : String(v)}`);
  return parts.length ? parts.join(' · ') : 'always';
}

/** The list's CSV: what the table shows, steps 1-based like everywhere else in the console. */
const exporter = (rules: Rule[]) =>
  downloadCsv(
    'discount-rules.csv',
    toCsv(
      ['id', 'priority', 'name', 'enabled', 'offer', 'cap', 'when', 'steps'].map((key) => ({ key, label: key })),
      rules.map((r) => ({
        id: r.id,
        priority: r.priority,
        name: r.name,
        enabled: r.enabled,
        offer: offerText(r.offer),
        cap: r.offer.maxDiscountValue ?? '',
        when: conditionsText(r.conditions),
        steps: Array.isArray(r.conditions.steps) && r.conditions.steps.length ? stepsText(r.conditions.steps) : 'any',
      })),
    ),
  );

function Actions() {
  const canEdit = useCanEdit();
  return <TopToolbar>{canEdit ? <CreateButton /> : null}<ExportButton /></TopToolbar>;
}

const RuleList = () => (
  <List sort={{ field: 'priority', order: 'ASC' }} filters={[<SearchInput key="q" source="q" alwaysOn />]} actions={<Actions />} exporter={exporter}>
    <Datagrid rowClick="edit" bulkActionButtons={false}>
      <NumberField source="priority" />
      <TextField source="name" />
      <BooleanField source="enabled" />
      <FunctionField<Rule> label="Offer" render={(r) => <Chip size="small" color="success" variant="outlined" label={offerText(r.offer)} />} />
      <FunctionField<Rule> label="Cap" render={(r) => money(r.offer.maxDiscountValue)} />
      <FunctionField<Rule> label="When" render={(r) => conditionsText(r.conditions)} />
    </Datagrid>
  </List>
);

const RuleEdit = () => (
  <VersionedEdit>
    <RuleForm />
  </VersionedEdit>
);

const RuleCreate = () => (
  <Create record={{ enabled: true, priority: 100, conditions: {}, offer: { type: 'percent', amount: 10, expiryHours: 48 } }} redirect="edit">
    <RuleForm create />
  </Create>
);

export default { list: RuleList, edit: RuleEdit, create: RuleCreate, icon: LocalOfferIcon };
