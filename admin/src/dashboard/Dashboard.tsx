import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import { Box, Card, CardContent, Stack, Typography } from '@mui/material';
import { useEffect } from 'react';
import { Title } from 'react-admin';
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis, Cell } from 'recharts';
import { CHANNEL_COLORS, channelLabel } from '../common/channels';
import { ChannelStatusPanel } from '../common/ChannelStatus';
import { count, money, percent } from '../common/format';
import { lastDays, useReport } from '../reports/report-kit';
import type { IncrementalRevenue } from '../../../server/experiments/lift-report';

interface Span {
  abandoned: number;
  recovered: number;
  recoveryRate: number | null;
  recoveredRevenue: number;
}
interface Dashboard {
  asOf: string;
  today: Span;
  sameTimeLastWeek: Span;
  change: { abandoned: number | null; recoveryRate: number | null; recoveredRevenue: number | null };
  scheduledNext24h: { total: number; byChannel: Record<string, number> };
  /** Where a holdout exists: the revenue the reminders caused among abandonments decided in the last 30 days. */
  incremental: (IncrementalRevenue & { from: string; to: string }) | null;
}
interface RecoverySeries {
  series: Array<{ period: string; abandoned: number | null; recovered: number; recoveredRevenue: number }>;
}

function Change({ value, points = false, goodWhenUp = true }: { value: number | null; points?: boolean; goodWhenUp?: boolean }) {
  if (value === null) return <Typography variant="caption">no figure last week</Typography>;
  const up = value >= 0;
  const good = up === goodWhenUp;
  const Icon = up ? ArrowUpwardIcon : ArrowDownwardIcon;
  const text = points ? `${(value * 100).toFixed(1)} pts` : percent(Math.abs(value), 0);
  return (
    <Stack direction="row" spacing={0.5} sx={{ color: good ? 'success.main' : 'error.main', alignItems: 'center' }}>
      <Icon fontSize="inherit" />
      <Typography variant="caption">
        {points && up ? '+' : ''}
        {text} vs same time last week
      </Typography>
    </Stack>
  );
}

function Tile({ label, value, children, testId }: { label: string; value: string; children?: React.ReactNode; testId: string }) {
  return (
    <Card sx={{ flex: '1 1 220px' }} data-testid={testId}>
      <CardContent>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h4">{value}</Typography>
        {children}
      </CardContent>
    </Card>
  );
}

/** Today at a glance: abandoned, recovered and revenue against last week, and what is about to be sent. */
export default function DashboardPage() {
  const { data, reload } = useReport<Dashboard>('dashboard', {});
  const range = lastDays(14);
  const recovery = useReport<RecoverySeries>('recovery', { from: range.from, to: range.to });
  // The scheduled count is live: refresh every 15 s.
  useEffect(() => {
    const timer = setInterval(reload, 15_000);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const channels = Object.entries(data?.scheduledNext24h.byChannel ?? {}).map(([channel, n]) => ({ channel, label: channelLabel(channel), n }));
  return (
    <Box sx={{ mt: 2 }}>
      <Title title="Dashboard" />
      <ChannelStatusPanel />
      {data?.incremental && data.incremental.total.value !== null ? (
        <Card sx={{ mb: 2 }} data-testid="tile-incremental">
          <CardContent>
            <Typography variant="body2" color="text.secondary">
              Revenue the reminders caused, last 30 days (against the held-out shoppers)
            </Typography>
            <Typography variant="h3">{money(data.incremental.total.value)}</Typography>
            <Typography variant="caption" color="text.secondary">
              {data.incremental.total.ci ? `95 %, valid however often you look: ${money(data.incremental.total.ci.low)} to ${money(data.incremental.total.ci.high)} · ` : 'no interval yet · '}
              {count(data.incremental.treatedDecided)} reminded and {count(data.incremental.controlDecided)} held-out abandonments decided · see Reports → Lift
            </Typography>
          </CardContent>
        </Card>
      ) : null}
      <Stack direction="row" spacing={2} useFlexGap sx={{ mb: 2, flexWrap: 'wrap' }}>
        <Tile label="Abandoned checkouts today" value={count(data?.today.abandoned)} testId="tile-abandoned">
          {data ? <Change value={data.change.abandoned} goodWhenUp={false} /> : null}
        </Tile>
        <Tile label="Recovery rate today" value={percent(data?.today.recoveryRate)} testId="tile-rate">
          {data ? <Change value={data.change.recoveryRate} points /> : null}
        </Tile>
        <Tile label="Revenue recovered today" value={money(data?.today.recoveredRevenue)} testId="tile-revenue">
          {data ? <Change value={data.change.recoveredRevenue} /> : null}
        </Tile>
        <Tile label="Messages scheduled, next 24 h" value={count(data?.scheduledNext24h.total)} testId="tile-scheduled">
          <Box sx={{ height: 60 }}>
            <ResponsiveContainer>
              <BarChart data={channels} layout="vertical">
                <XAxis type="number" hide />
                <YAxis type="category" dataKey="label" width={50} tick={{ fontSize: 11 }} />
                <Tooltip />
                <Bar dataKey="n" name="scheduled" isAnimationActive={false}>
                  {channels.map((c) => (
                    <Cell key={c.channel} fill={CHANNEL_COLORS[c.channel] ?? '#999'} />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </Box>
        </Tile>
      </Stack>
      <Card>
        <CardContent>
          <Typography variant="h6">Last 14 days: abandoned and recovered</Typography>
          <Box sx={{ height: 260 }}>
            <ResponsiveContainer>
              <BarChart data={recovery.data?.series ?? []}>
                <XAxis dataKey="period" tickFormatter={(p: string) => p.slice(5)} />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="abandoned" fill="#ffb74d" isAnimationActive={false} />
                <Bar dataKey="recovered" fill="#2e7d32" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </Box>
        </CardContent>
      </Card>
      {data ? (
        <Typography variant="caption" color="text.secondary">
          as of {new Date(data.asOf).toLocaleString()}
        </Typography>
      ) : null}
    </Box>
  );
}
