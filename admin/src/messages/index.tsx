import MailIcon from '@mui/icons-material/Mail';
import { Card, CardContent, Chip, Stack, Table, TableBody, TableCell, TableRow, Typography } from '@mui/material';
import { Datagrid, DateField, FunctionField, List, SearchInput, SelectInput, Show, TextField, useRecordContext } from 'react-admin';
import { Link } from 'react-router-dom';
import { ChannelIcon, channelLabel } from '../common/channels';
import { dateTime, money, words } from '../common/format';
import { MessagePreview, type Preview } from './MessagePreview';

const choices = (values: string[]) => values.map((v) => ({ id: v, name: v }));

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="checkout id or email" />,
  <SelectInput key="status" source="status" choices={choices(['planned', 'sending', 'sent', 'delivered', 'failed', 'cancelled', 'withheld', 'unknown'])} />,
  <SelectInput key="channel" source="channel" choices={choices(['email', 'sms', 'push'])} />,
  <SelectInput key="arm" source="arm" label="Arm" choices={choices(['treatment', 'control'])} />,
];

interface MessageRow {
  id: string;
  checkoutId: string;
  checkoutExternalId: string;
  campaignName: string;
  step: number;
  channel: string;
  status: string;
  arm: string;
  variant: string | null;
  recipient: string | null;
  subject: string | null;
  scheduledFor: string;
  sentAt: string | null;
  withheldAt: string | null;
  deliveredAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  error: string | null;
  cancelReason: string | null;
  recoveredRevenue: number | null;
  currency: string | null;
}

interface MessageDetail extends MessageRow {
  preview?: Preview;
  engagements?: Array<{ kind: string; at: string }>;
}

const Channel = ({ channel }: { channel: string }) => (
  <Stack sx={{ alignItems: 'center' }} direction="row" spacing={0.5}>
    <ChannelIcon channel={channel} />
    <span>{channelLabel(channel)}</span>
  </Stack>
);

const statusText = (m: MessageRow) => `${m.status}${m.cancelReason ? ` (${words(m.cancelReason)})` : ''}`;

const MessageList = () => (
  <List sort={{ field: 'scheduledFor', order: 'DESC' }} filters={filters} perPage={25}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="subject" emptyText="—" sortable={false} />
      <FunctionField<MessageRow> label="Channel" sortable={false} render={(m) => <Channel channel={m.channel} />} />
      <TextField source="recipient" emptyText="—" sortable={false} />
      <FunctionField<MessageRow> label="Status" sortable={false} render={statusText} />
      <FunctionField<MessageRow> label="Step" source="stepIndex" render={(m) => m.step} />
      <FunctionField<MessageRow> label="Arm / variant" sortable={false} render={(m) => `${m.arm}${m.variant ? ` · ${m.variant}` : ''}`} />
      <DateField source="sentAt" label="Sent" showTime emptyText="—" />
      <DateField source="scheduledFor" label="Scheduled" showTime />
    </Datagrid>
  </List>
);

function Facts({ m }: { m: MessageDetail }) {
  const rows: Array<[string, React.ReactNode]> = [
    ['Checkout', <Link to={`/checkouts/${m.checkoutId}/show`}>{m.checkoutExternalId}</Link>],
    ['Campaign', `${m.campaignName}, step ${m.step}`],
    ['Channel', <Channel channel={m.channel} />],
    ['Recipient', m.recipient ?? '—'],
    ['Status', statusText(m)],
    ['Arm', m.arm === 'control' ? 'control (held out: never sent)' : 'treatment'],
    ['Variant', m.variant ?? '—'],
    ['Scheduled', dateTime(m.scheduledFor)],
    ['Sent', dateTime(m.sentAt ?? m.withheldAt)],
    ['Delivered / opened / clicked', [m.deliveredAt, m.openedAt, m.clickedAt].map((t) => dateTime(t)).join(' · ')],
  ];
  if (m.error) rows.push(['Error', m.error]);
  return (
    <Table size="small">
      <TableBody>
        {rows.map(([label, value]) => (
          <TableRow key={label}>
            <TableCell component="th" sx={{ width: 220 }}>
              {label}
            </TableCell>
            <TableCell>{value}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function MessageDetails() {
  const m = useRecordContext<MessageDetail>();
  // Opened from the list, the record first holds the list's row (no preview) until the full one loads.
  if (!m) return null;
  return (
    <Stack spacing={2} sx={{ p: 2 }}>
      <Typography variant="h6">{m.subject ?? `${channelLabel(m.channel)} message`}</Typography>
      <Facts m={m} />
      <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
        {(m.engagements ?? []).map((e, i) => (
          <Chip key={i} size="small" variant="outlined" label={`${e.kind} ${dateTime(e.at)}`} />
        ))}
        {m.recoveredRevenue ? <Chip size="small" color="success" label={`recovered ${money(m.recoveredRevenue, m.currency ?? 'EUR')}`} /> : null}
      </Stack>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1">Content</Typography>
          <Typography variant="caption" color="text.secondary">
            Rendered now from the step's template and the checkout, as the worker renders it; links are disabled here.
          </Typography>
          {m.preview ? <MessagePreview preview={m.preview} /> : null}
        </CardContent>
      </Card>
    </Stack>
  );
}

const MessageShow = () => (
  <Show>
    <MessageDetails />
  </Show>
);

export default { list: MessageList, show: MessageShow, icon: MailIcon, recordRepresentation: 'subject' };
