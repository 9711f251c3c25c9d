import { Box, Card, CardContent, MenuItem, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { IncrementalRevenue } from '../../../server/experiments/lift-report';
import type { RecoveryGroup, RecoveryMetrics, RecoveryPoint } from '../../../server/reports/recovery-report';
import { count, money, percent } from '../common/format';
import { CsvButton, DateRangePicker, downloadReportCsv, lastDays, Panel, ReportPage, useReport } from './report-kit';

interface Recovery {
  asOf: string;
  marginRate: number;
  totals: RecoveryMetrics;
  series: RecoveryPoint[];
  groups: (RecoveryGroup & { incremental?: IncrementalRevenue | null })[];
  /** What the holdout shows the reminders caused; null without a decided control group. */
  incremental: IncrementalRevenue | null;
}

/** The interval and the groups behind the incremental figure, or why there is none. */
function incrementalHint(incremental: IncrementalRevenue | null): string {
  if (!incremental) return 'no decided holdout in this range: give the campaign a holdout share to measure what it causes';
  const ci = incremental.total.ci;
  const interval = ci ? `95 %: ${money(ci.low)} to ${money(ci.high)}` : 'no interval yet';
  return `${interval} · ${count(incremental.treatedDecided)} reminded vs ${count(incremental.controlDecided)} held out, decided`;
}

/** "€1,200 (95 %: €300 to €2,100)", or why there is no figure. */
function incrementalText(incremental: IncrementalRevenue | null | undefined): string {
  if (!incremental || incremental.total.value === null) return '—';
  const ci = incremental.total.ci;
  return ci ? `${money(incremental.total.value)} (95 %: ${money(ci.low)} to ${money(ci.high)})` : money(incremental.total.value);
}

function Kpi({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card variant="outlined" sx={{ flex: '1 1 160px' }}>
      <CardContent>
        <Typography variant="caption" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h5">{value}</Typography>
        {hint ? (
          <Typography variant="caption" color="text.secondary">
            {hint}
          </Typography>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** Abandoned checkouts won back over time, and by campaign, step or channel; engagement alongside. */
export default function RecoveryReport() {
  const [range, setRange] = useState(lastDays(30));
  const [interval, setInterval] = useState('day');
  const [by, setBy] = useState('campaign');
  const params = { from: range.from, to: range.to, interval, by: by || undefined };
  const { data, error, loading } = useReport<Recovery>('recovery', params);
  const t = data?.totals;
  return (
    <ReportPage
      title="Recovery"
      asOf={data?.asOf}
      error={error}
      loading={loading}
      controls={
        <>
          <DateRangePicker value={range} onChange={setRange} />
          <TextField size="small" select label="per" value={interval} onChange={(e) => setInterval(e.target.value)} sx={{ width: 110 }}>
            <MenuItem value="day">day</MenuItem>
            <MenuItem value="week">week</MenuItem>
          </TextField>
          <TextField size="small" select label="by" value={by} onChange={(e) => setBy(e.target.value)} sx={{ width: 140 }}>
            <MenuItem value="">—</MenuItem>
            <MenuItem value="campaign">campaign</MenuItem>
            <MenuItem value="step">step</MenuItem>
            <MenuItem value="channel">channel</MenuItem>
          </TextField>
        </>
      }
    >
      {data && t ? (
        <>
          <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mb: 2 }}>
            <Kpi label="Abandoned" value={count(t.abandoned)} hint={`${count(t.contacted)} contacted`} />
            <Kpi label="Recovered" value={count(t.recovered)} hint={`${percent(t.recoveryRate)} of abandoned`} />
            <Kpi label="Revenue recovered (last touch)" value={money(t.recoveredRevenue)} hint="orders after an open or click, credited to the message" />
            <Box data-testid="recovery-incremental" sx={{ display: 'flex', flex: '1 1 160px' }}>
              <Kpi
                label="Incremental revenue (holdout)"
                value={data.incremental?.total.value != null ? money(data.incremental.total.value) : '—'}
                hint={incrementalHint(data.incremental)}
              />
            </Box>
            <Kpi label="Net margin" value={money(t.netMargin)} hint={`${percent(data.marginRate, 0)} margin − ${money(t.discountCost)} discounts − ${money(t.messageCost)} messages`} />
            <Kpi label="Opened / clicked" value={`${percent(t.openRate, 0)} / ${percent(t.clickRate, 0)}`} hint={`${count(t.sent)} sent, ${count(t.unsubscribed)} unsubscribed`} />
          </Box>
          <Panel title="Over time" action={<CsvButton onClick={() => downloadReportCsv('recovery', params)} />} testId="recovery-chart">
            <Box sx={{ height: 300 }}>
              <ResponsiveContainer>
                <ComposedChart data={data.series}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="period" />
                  <YAxis yAxisId="money" />
                  <YAxis yAxisId="rate" orientation="right" tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
                  <Tooltip formatter={(v, name) => (name === 'recovery rate' ? percent(Number(v)) : name === 'revenue recovered' ? money(Number(v)) : count(Number(v)))} />
                  <Legend />
                  <Bar yAxisId="money" dataKey="recoveredRevenue" name="revenue recovered" fill="#2e7d32" isAnimationActive={false} />
                  <Line yAxisId="rate" dataKey="recoveryRate" name="recovery rate" stroke="#1976d2" dot={false} isAnimationActive={false} />
                </ComposedChart>
              </ResponsiveContainer>
            </Box>
            <Box sx={{ height: 220 }}>
              <ResponsiveContainer>
                <LineChart data={data.series}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="period" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  <Line dataKey="sent" stroke="#757575" dot={false} isAnimationActive={false} />
                  <Line dataKey="opened" stroke="#1976d2" dot={false} isAnimationActive={false} />
                  <Line dataKey="clicked" stroke="#9c27b0" dot={false} isAnimationActive={false} />
                  <Line dataKey="unsubscribed" stroke="#d32f2f" dot={false} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </Box>
          </Panel>
          {data.groups.length ? (
            <Panel title={`By ${by}`} action={<CsvButton onClick={() => downloadReportCsv('recovery', params)} />}>
              <Box sx={{ height: Math.max(160, data.groups.length * 44) }}>
                <ResponsiveContainer>
                  <BarChart data={data.groups.map((g) => ({ label: g.label, ...g.totals }))} layout="vertical" margin={{ left: 40 }}>
                    <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                    <XAxis type="number" />
                    <YAxis type="category" dataKey="label" width={140} />
                    <Tooltip formatter={(v) => money(Number(v))} />
                    <Bar dataKey="recoveredRevenue" name="revenue recovered" fill="#2e7d32" isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
              </Box>
              <Table size="small">
                <TableHead>
                  <TableRow>
                    <TableCell>{by}</TableCell>
                    <TableCell align="right">Abandoned</TableCell>
                    <TableCell align="right">Contacted</TableCell>
                    <TableCell align="right">Recovered</TableCell>
                    <TableCell align="right">Rate</TableCell>
                    <TableCell align="right">Revenue</TableCell>
                    {by === 'campaign' ? <TableCell align="right">Incremental revenue</TableCell> : null}
                    <TableCell align="right">Sent</TableCell>
                    <TableCell align="right">Opened</TableCell>
                    <TableCell align="right">Clicked</TableCell>
                    <TableCell align="right">Unsubscribed</TableCell>
                    <TableCell align="right">Net margin</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {data.groups.map((g) => (
                    <TableRow key={g.key}>
                      <TableCell>{g.label}</TableCell>
                      <TableCell align="right">{count(g.totals.abandoned)}</TableCell>
                      <TableCell align="right">{count(g.totals.contacted)}</TableCell>
                      <TableCell align="right">{count(g.totals.recovered)}</TableCell>
                      <TableCell align="right">{percent(g.totals.recoveryRate)}</TableCell>
                      <TableCell align="right">{money(g.totals.recoveredRevenue)}</TableCell>
                      {by === 'campaign' ? <TableCell align="right">{incrementalText(g.incremental)}</TableCell> : null}
                      <TableCell align="right">{count(g.totals.sent)}</TableCell>
                      <TableCell align="right">{count(g.totals.opened)}</TableCell>
                      <TableCell align="right">{count(g.totals.clicked)}</TableCell>
                      <TableCell align="right">{count(g.totals.unsubscribed)}</TableCell>
                      <TableCell align="right">{money(g.totals.netMargin)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Panel>
          ) : null}
        </>
      ) : null}
    </ReportPage>
  );
}
