import PeopleIcon from '@mui/icons-material/People';
import { Box, Button, Card, CardContent, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useState } from 'react';
import { Confirm, Datagrid, DateField, FunctionField, Link, List, NumberField, SearchInput, Show, TextField, useDataProvider, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { useCanEdit } from '../auth/roles';
import { ChannelIcon, channelLabel } from '../common/channels';
import { dateTime, money, words } from '../common/format';
import type { AppDataProvider } from '../data/dataProvider';
import { CHANNELS, type ChannelKind } from '../data/types';

type Consent = { granted: boolean; at: string; by: string } | null;
interface CustomerRow {
  id: string;
  email: string | null;
  phone: string | null;
  lifetimeValue: number;
  consent: Record<ChannelKind, Consent>;
}

function ConsentChips({ consent }: { consent: CustomerRow['consent'] }) {
  return (
    <Stack direction="row" spacing={0.5}>
      {CHANNELS.map((channel) => {
        const c = consent?.[channel];
        return (
          <Chip
            key={channel}
            size="small"
            icon={<ChannelIcon channel={channel} fontSize="inherit" />}
            color={c ? (c.granted ? 'success' : 'error') : 'default'}
            variant={c ? 'filled' : 'outlined'}
            label={c ? (c.granted ? 'yes' : 'no') : 'not stated'}
            title={c ? `${channelLabel(channel)}: ${c.granted ? 'granted' : 'withdrawn'} ${dateTime(c.at)} by ${c.by}` : `${channelLabel(channel)}: no statement`}
          />
        );
      })}
    </Stack>
  );
}

const CustomerList = () => (
  <List sort={{ field: 'lastSeenAt', order: 'DESC' }} filters={[<SearchInput key="q" source="q" alwaysOn placeholder="email or phone" />]}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="email" emptyText="—" />
      <TextField source="phone" emptyText="—" />
      <NumberField source="ordersCount" />
      <FunctionField<CustomerRow> label="Lifetime value" textAlign="right" render={(r) => money(r.lifetimeValue)} />
      <FunctionField<CustomerRow> label="Consent" render={(r) => <ConsentChips consent={r.consent} />} />
      <DateField source="lastSeenAt" showTime />
    </Datagrid>
  </List>
);

function OptOut({ customerId }: { customerId: string }) {
  const dataProvider = useDataProvider<AppDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [channel, setChannel] = useState<ChannelKind | null>(null);
  return (
    <>
      <Stack direction="row" spacing={1}>
        {CHANNELS.map((c) => (
          <Button key={c} size="small" color="error" variant="outlined" onClick={() => setChannel(c)}>
            Opt out of {channelLabel(c)}
          </Button>
        ))}
      </Stack>
      <Confirm
        isOpen={channel !== null}
        title={`Record an opt-out from ${channel ? channelLabel(channel) : ''}?`}
        content="Consent is withdrawn and planned messages on that channel are cancelled at once."
        onClose={() => setChannel(null)}
        onConfirm={async () => {
          if (!channel) return;
          try {
            const result = await dataProvider.optOut(customerId, channel);
            notify(`Opted out of ${channelLabel(channel)}; ${result.cancelledMessages} planned message(s) cancelled`, { type: 'success' });
            refresh();
          } catch (error) {
            notify((error as Error).message, { type: 'error' });
          } finally {
            setChannel(null);
          }
        }}
      />
    </>
  );
}

interface CustomerDetail extends CustomerRow {
  userId: string | null;
  timezone: string | null;
  locale: string | null;
  contactPoints: Array<{ kind: string; value: string }>;
  pushSubscriptions: Array<{ endpoint: string; subscribedAt: string; expiresAt: string | null; revokedAt: string | null; live: boolean }>;
  orders: Array<{ orderId: string; checkoutId: string | null; revenue: number; currency: string; occurredAt: string }>;
  messages: Array<{ id: string; checkoutId: string; stepIndex: number; channel: string; status: string; sentAt: string | null; scheduledFor: string | null; openedAt: string | null; clickedAt: string | null; cancelReason: string | null }>;
  checkouts: Array<{ id: string; externalId: string; status: string; stage: string; cartValue: number | null; currency: string | null; firstActivityAt: string }>;
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="h6" gutterBottom>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

function CustomerDetails() {
  const c = useRecordContext<CustomerDetail>();
  const canEdit = useCanEdit();
  // Opened from the list, the record first holds the list's row (no contact points, orders, messages) until the full one loads.
  if (!c || !c.contactPoints || !c.pushSubscriptions || !c.orders || !c.checkouts || !c.messages) return null;
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2, p: 2 }}>
      <Section title="Contact points and consent">
        <Stack spacing={0.5} sx={{ mb: 2 }}>
          {c.contactPoints.map((p) => (
            <Typography key={`${p.kind}:${p.value}`} variant="body2">
              {p.kind}: {p.value}
            </Typography>
          ))}
          <Typography variant="body2" color="text.secondary">
            {c.timezone ?? 'time zone unknown'} · {c.locale ?? 'locale unknown'}
          </Typography>
        </Stack>
        <ConsentChips consent={c.consent} />
        {canEdit ? (
          <Box sx={{ mt: 2 }}>
            <OptOut customerId={c.id} />
          </Box>
        ) : null}
      </Section>
      <Section title="Push subscriptions">
        {c.pushSubscriptions.length === 0 ? <Typography variant="body2">None.</Typography> : null}
        {c.pushSubscriptions.map((s) => (
          <Typography key={s.endpoint} variant="body2" sx={{ wordBreak: 'break-all' }}>
            <Chip size="small" color={s.live ? 'success' : 'default'} label={s.live ? 'live' : s.revokedAt ? 'revoked' : 'expired'} /> {new URL(s.endpoint).host} since {dateTime(s.subscribedAt)}
          </Typography>
        ))}
      </Section>
      <Section title="Orders">
        {c.orders.length === 0 ? <Typography variant="body2">None.</Typography> : null}
        {c.orders.map((o) => (
          <Typography key={o.orderId} variant="body2">
            {o.orderId}: {money(o.revenue, o.currency)} on {dateTime(o.occurredAt)}
          </Typography>
        ))}
        <Typography variant="subtitle2" sx={{ mt: 2 }}>
          Checkouts
        </Typography>
        {c.checkouts.map((k) => (
          <Typography key={k.id} variant="body2">
            <Link to={`/checkouts/${k.id}/show`}>{k.externalId}</Link> · {k.status} · {money(k.cartValue, k.currency ?? 'EUR')} · {dateTime(k.firstActivityAt)}
          </Typography>
        ))}
      </Section>
      <Section title="Messages">
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Channel</TableCell>
              <TableCell>Step</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>When</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {c.messages.map((m) => (
              <TableRow key={m.id}>
                <TableCell>
                  <ChannelIcon channel={m.channel} />
                </TableCell>
                <TableCell>{m.stepIndex + 1}</TableCell>
                <TableCell>
                  {m.status}
                  {m.cancelReason ? ` (${words(m.cancelReason)})` : ''}
                  {m.clickedAt ? ' · clicked' : m.openedAt ? ' · opened' : ''}
                </TableCell>
                <TableCell>{dateTime(m.sentAt ?? m.scheduledFor)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Section>
    </Box>
  );
}

const CustomerShow = () => (
  <Show>
    <CustomerDetails />
  </Show>
);

export default { list: CustomerList, show: CustomerShow, icon: PeopleIcon };
