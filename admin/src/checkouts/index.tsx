import ShoppingCartIcon from '@mui/icons-material/ShoppingCart';
import { Box, Card, CardContent, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Datagrid, DateField, DateInput, FunctionField, List, NumberInput, SearchInput, SelectInput, Show, TextField, useRecordContext } from 'react-admin';
import { Link } from 'react-router-dom';
import { ChannelIcon, channelLabel } from '../common/channels';
import { dateTime, money, words } from '../common/format';
import { STAGES } from '../data/types';
import { NextDecision } from './NextDecision';

const STATUSES = ['active', 'abandoned', 'recovered', 'completed', 'expired'].map((s) => ({ id: s, name: s }));
const STATUS_COLOR: Record<string, 'default' | 'warning' | 'success' | 'info' | 'error'> = { active: 'info', abandoned: 'warning', recovered: 'success', completed: 'success', expired: 'default' };

export const StatusChip = ({ status }: { status: string }) => <Chip size="small" color={STATUS_COLOR[status] ?? 'default'} label={status} />;

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="checkout id or email" />,
  <SelectInput key="status" source="status" choices={STATUSES} />,
  <SelectInput key="stage" source="stage" choices={STAGES.map((s) => ({ id: s, name: s }))} />,
  <NumberInput key="minValue" source="minValue" label="Min value" />,
  <NumberInput key="maxValue" source="maxValue" label="Max value" />,
  <DateInput key="from" source="from" label="Started from" />,
  <DateInput key="to" source="to" label="Started to" />,
];

interface CheckoutRow {
  status: string;
  cartValue: number | null;
  currency: string | null;
}

const CheckoutList = () => (
  <List sort={{ field: 'firstActivityAt', order: 'DESC' }} filters={filters}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="externalId" label="Checkout" />
      <TextField source="email" emptyText="—" />
      <FunctionField<CheckoutRow> label="Status" render={(r) => <StatusChip status={r.status} />} />
      <TextField source="stage" />
      <FunctionField<CheckoutRow> label="Cart" textAlign="right" render={(r) => money(r.cartValue, r.currency ?? 'EUR')} />
      <TextField source="device" emptyText="—" />
      <DateField source="firstActivityAt" label="Started" showTime />
      <DateField source="abandonedAt" label="Abandoned" showTime emptyText="—" />
    </Datagrid>
  </List>
);

interface Engagement {
  kind: string;
  at: string;
  detail?: unknown;
}
interface Message {
  id: string;
  stepIndex: number;
  channel: string;
  status: string;
  scheduledFor: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  error: string | null;
  cancelReason: string | null;
  withheldAt: string | null;
  variant: string | null;
  recoveredRevenue: number | null;
  policy: { channel: string; discountPct: number | null; source: string; modelVersion: string | null; reason: string | null; expectedMargin: number | null } | null;
  engagements: Engagement[];
}
interface CheckoutDetail {
  externalId: string;
  status: string;
  stage: string;
  email: string | null;
  phone: string | null;
  cartValue: number | null;
  currency: string | null;
  device: string | null;
  firstActivityAt: string;
  abandonedAt: string | null;
  events: Array<{ eventId: string; type: string; occurredAt: string; origin: string }>;
  enrollment: {
    campaignName: string;
    status: string;
    exitReason: string | null;
    arm: 'treatment' | 'control';
    controlProbability: number;
    stopDecision: { source: string; propensity: number; reason: string } | null;
  } | null;
  messages: Message[];
  order: { orderId: string; revenue: number; currency: string; occurredAt: string } | null;
  session: PaymentSession | null;
  paymentAttempts: PaymentAttempt[];
}
interface PaymentSession {
  publicId: string;
  state: string;
  totals: { currency: string; subtotal: number; discount: number; shipping: number; total: number };
  discountCode: string | null;
  orderId: string | null;
  chargingSince: string | null;
  completedAt: string | null;
}
interface PaymentAttempt {
  id: string;
  sequence: number;
  provider: string;
  status: string;
  amount: number;
  currency: string;
  declineCode: string | null;
  failure: string | null;
  providerReference: string | null;
  startedAt: string;
  brand: string | null;
  last4: string | null;
}

const SESSION_COLOR: Record<string, 'default' | 'warning' | 'success' | 'info'> = { open: 'info', charging: 'warning', completed: 'success' };
const ATTEMPT_COLOR: Record<string, 'default' | 'warning' | 'success' | 'error'> = { pending: 'default', succeeded: 'success', declined: 'error', failed: 'warning', unknown: 'warning' };

function Timeline({ events }: { events: CheckoutDetail['events'] }) {
  return (
    <Stack spacing={0} sx={{ borderLeft: 2, borderColor: 'divider', pl: 2, ml: 1 }} data-testid="event-timeline">
      {events.map((e) => (
        <Box key={e.eventId} sx={{ position: 'relative', py: 0.5 }}>
          <Box sx={{ position: 'absolute', left: -21, top: 10, width: 8, height: 8, borderRadius: '50%', bgcolor: e.type === 'order_completed' ? 'success.main' : 'primary.main' }} />
          <Typography variant="body2">
            <strong>{words(e.type)}</strong> <span style={{ color: '#777' }}>{dateTime(e.occurredAt)} · {e.origin}</span>
          </Typography>
        </Box>
      ))}
    </Stack>
  );
}

function Messages({ messages }: { messages: Message[] }) {
  if (messages.length === 0) return <Typography variant="body2">No recovery message.</Typography>;
  return (
    <Table size="small">
      <TableHead>
        <TableRow>
          <TableCell>Step</TableCell>
          <TableCell>Channel</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>When</TableCell>
          <TableCell>Decision (why)</TableCell>
          <TableCell>Engagement</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {messages.map((m) => (
          <TableRow key={m.id}>
            <TableCell>{m.stepIndex + 1}</TableCell>
            <TableCell>
              <Stack sx={{ alignItems: 'center' }} direction="row" spacing={0.5}>
                <ChannelIcon channel={m.channel} />
                {/* The message's own page: what it says, to whom. */}
                <Link to={`/messages/${m.id}/show`} data-testid="message-link">
                  {channelLabel(m.channel)}
                </Link>
              </Stack>
            </TableCell>
            <TableCell>
              {m.status}
              {m.cancelReason ? ` (${words(m.cancelReason)})` : ''}
              {m.variant ? <Typography variant="caption" sx={{ display: 'block' }}>variant “{m.variant}”</Typography> : null}
              {m.error ? <Typography variant="caption" color="error" sx={{ display: "block" }}>{m.error}</Typography> : null}
            </TableCell>
            <TableCell>{dateTime(m.sentAt ?? m.withheldAt ?? m.scheduledFor)}</TableCell>
            <TableCell>
              {m.policy ? (
                <>
                  {channelLabel(m.policy.channel)}, {m.policy.discountPct ? `${m.policy.discountPct}% off` : 'no discount'} · {m.policy.source}
                  {m.policy.modelVersion ? ` ${m.policy.modelVersion}` : ''}
                  {m.policy.reason ? <Typography variant="caption" sx={{ display: "block" }}>{m.policy.reason}</Typography> : null}
                </>
              ) : (
                '—'
              )}
            </TableCell>
            <TableCell>
              <Stack sx={{ flexWrap: 'wrap' }} direction="row" spacing={0.5} useFlexGap>
                {m.engagements.map((e, i) => (
                  <Chip key={i} size="small" variant="outlined" label={`${e.kind} ${dateTime(e.at)}`} />
                ))}
                {m.recoveredRevenue ? <Chip size="small" color="success" label={`recovered ${money(m.recoveredRevenue)}`} /> : null}
              </Stack>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function PaymentAttempts({ attempts }: { attempts: PaymentAttempt[] }) {
  if (attempts.length === 0) return <Typography variant="body2">No payment attempt.</Typography>;
  return (
    <Table size="small" data-testid="payment-attempts">
      <TableHead>
        <TableRow>
          <TableCell>Time</TableCell>
          <TableCell>Provider</TableCell>
          <TableCell>Card</TableCell>
          <TableCell align="right">Amount</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Decline or failure</TableCell>
          <TableCell>Provider reference</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {attempts.map((a) => (
          <TableRow key={a.id}>
            <TableCell>{dateTime(a.startedAt)}</TableCell>
            <TableCell>{a.provider}</TableCell>
            <TableCell>{a.last4 ? `${a.brand} •••• ${a.last4}` : '—'}</TableCell>
            <TableCell align="right">{money(a.amount, a.currency)}</TableCell>
            <TableCell>
              <Chip size="small" color={ATTEMPT_COLOR[a.status] ?? 'default'} label={a.status} />
            </TableCell>
            <TableCell>{a.declineCode ? words(a.declineCode) : (a.failure ?? '—')}</TableCell>
            <TableCell>{a.providerReference ?? '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Payment({ session, attempts }: { session: PaymentSession; attempts: PaymentAttempt[] }) {
  return (
    <Card variant="outlined" sx={{ gridColumn: '1 / -1' }} data-testid="payment">
      <CardContent>
        <Typography variant="h6">
          Payment {session.publicId} <Chip size="small" color={SESSION_COLOR[session.state] ?? 'default'} label={session.state} />
        </Typography>
        <Typography variant="body2">
          Total {money(session.totals.total, session.totals.currency)}
          {session.discountCode ? ` · code ${session.discountCode} (−${money(session.totals.discount, session.totals.currency)})` : ' · no code'}
          {session.orderId ? ` · order ${session.orderId}` : ''}
          {session.state === 'charging' ? ` · charging since ${dateTime(session.chargingSince)}` : ''}
          {session.completedAt ? ` · completed ${dateTime(session.completedAt)}` : ''}
        </Typography>
        <PaymentAttempts attempts={attempts} />
      </CardContent>
    </Card>
  );
}

function CheckoutDetails() {
  const c = useRecordContext<CheckoutDetail & { id: string }>();
  // Opened from the list, the page first holds the list's row (no events, no messages) until the full record loads.
  if (!c || !c.events || !c.messages) return null;
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 2fr' }, gap: 2, p: 2 }}>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="h6">
            {c.externalId} <StatusChip status={c.status} />
          </Typography>
          <Typography variant="body2">
            {money(c.cartValue, c.currency ?? 'EUR')} · reached {c.stage} · {c.device ?? 'device unknown'}
          </Typography>
          <Typography variant="body2">{[c.email, c.phone].filter(Boolean).join(' · ') || 'no contact'}</Typography>
          {c.enrollment ? (
            <Typography variant="body2">
              Campaign <strong>{c.enrollment.campaignName}</strong>: {c.enrollment.status}
              {c.enrollment.exitReason ? ` (${words(c.enrollment.exitReason)})` : ''}
              {c.enrollment.stopDecision ? (
                <Typography variant="caption" component="span" sx={{ display: 'block' }} data-testid="stop-decision">
                  The policy chose to send nothing more ({c.enrollment.stopDecision.source}, probability {c.enrollment.stopDecision.propensity.toFixed(2)}): {c.enrollment.stopDecision.reason}
                </Typography>
              ) : null}
              {c.enrollment.arm === 'control' ? (
                <Chip size="small" sx={{ ml: 1 }} data-testid="held-out" label={`held out (control group, ${Math.round(c.enrollment.controlProbability * 100)} %): planned, never sent`} />
              ) : null}
            </Typography>
          ) : null}
          {c.order ? (
            <Typography variant="body2" color="success.main">
              Order {c.order.orderId}: {money(c.order.revenue, c.order.currency)} on {dateTime(c.order.occurredAt)}
            </Typography>
          ) : null}
          <Typography variant="subtitle2" sx={{ mt: 2 }}>
            Events
          </Typography>
          <Timeline events={c.events} />
        </CardContent>
      </Card>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="h6">Messages</Typography>
          <Messages messages={c.messages} />
        </CardContent>
      </Card>
      {c.session ? <Payment session={c.session} attempts={c.paymentAttempts} /> : null}
      {c.enrollment?.status === 'active' ? <NextDecision checkoutId={c.id} /> : null}
    </Box>
  );
}

const CheckoutShow = () => (
  <Show>
    <CheckoutDetails />
  </Show>
);

export default { list: CheckoutList, show: CheckoutShow, icon: ShoppingCartIcon };
