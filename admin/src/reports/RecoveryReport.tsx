import { Box, Card, CardContent, MenuItem, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RecoveryGroup, RecoveryMetrics, RecoveryPoint } from '../../../server/reports/recovery-report';
import { count, money, percent } from '../common/format';
import { CsvButton, DateRangePicker, downloadReportCsv, lastDays, Panel, ReportPage, useReport } from './report-kit';

interface Recovery {
  asOf: string;
  marginRate: number;
  totals: RecoveryMetrics;
  series: RecoveryPoint[];
  groups: RecoveryGroup[];
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
            <Kpi label="Revenue recovered" value={money(t.recoveredRevenue)} />
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
