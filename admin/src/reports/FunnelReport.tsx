import { Box, Checkbox, FormControlLabel, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Link } from 'react-admin';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis, LabelList } from 'recharts';
import type { DropoffRow, FunnelGroup, FunnelStepRow } from '../../../server/reports/funnel-report';
import type { FunnelStep } from '../../../server/reports/report-params';
import { toCsv, downloadCsv } from '../common/csv';
import { count, dateTime, money, percent } from '../common/format';
import { API, httpClient, query } from '../data/http';
import { CsvButton, DateRangePicker, downloadReportCsv, lastDays, Panel, ReportPage, useReport } from './report-kit';

interface Funnel {
  asOf: string;
  steps: FunnelStepRow[];
  groups: FunnelGroup[];
}

const WINDOWS = ['5m', '15m', '1h', '6h', '1d', '3d', '7d'];
const OPTIONAL: FunnelStep[] = ['contact', 'shipping', 'payment'];
const GROUP_COLORS = ['#1976d2', '#9c27b0', '#2e7d32', '#ed6c02', '#0097a7', '#5d4037'];

interface Selection {
  stage: FunnelStep;
  outcome: 'lost' | 'inProgress';
  group?: { key: string; label: string };
}

function DropOffList({ selection, params, breakdown }: { selection: Selection; params: Record<string, string>; breakdown: string }) {
  const [rows, setRows] = useState<DropoffRow[] | null>(null);
  const [total, setTotal] = useState(0);
  const groupParam: Record<string, string> = {};
  if (selection.group && breakdown) groupParam[breakdown === 'source' ? 'sourceId' : breakdown] = selection.group.key;
  const all = { ...params, ...groupParam, stage: selection.stage, outcome: selection.outcome };
  const key = JSON.stringify(all);
  useEffect(() => {
    let cancelled = false;
    setRows(null);
    httpClient(`${API}/reports/funnel/dropoffs${query({ ...JSON.parse(key), range: '[0,49]' })}`).then(({ json, headers }) => {
      if (cancelled) return;
      setRows(json as DropoffRow[]);
      setTotal(Number(/\/(\d+)$/.exec(headers.get('content-range') ?? '')?.[1] ?? (json as unknown[]).length));
    });
    return () => {
      cancelled = true;
    };
  }, [key]);
  return (
    <Panel
      title={`${selection.outcome === 'lost' ? 'Lost' : 'Still within the window'} before ${selection.stage}${selection.group ? ` (${selection.group.label})` : ''}: ${count(total)}`}
      action={<CsvButton onClick={() => downloadReportCsv('funnel/dropoffs', JSON.parse(key))} />}
      testId="dropoff-list"
    >
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Checkout</TableCell>
            <TableCell>Email</TableCell>
            <TableCell>Device</TableCell>
            <TableCell>Reached</TableCell>
            <TableCell>Started</TableCell>
            <TableCell align="right">Cart</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {(rows ?? []).map((r) => (
            <TableRow key={r.id} hover>
              <TableCell>
                <Link to={`/checkouts/${r.id}/show`}>{r.externalId}</Link>
              </TableCell>
              <TableCell>{r.email ?? '—'}</TableCell>
              <TableCell>{r.device ?? '—'}</TableCell>
              <TableCell>{r.stage}</TableCell>
              <TableCell>{dateTime(r.startedAt)}</TableCell>
              <TableCell align="right">{money(r.cartValue, r.currency ?? 'EUR')}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {rows && total > rows.length ? (
        <Typography variant="caption">
          First {rows.length} of {count(total)}; the CSV has them all.
        </Typography>
      ) : null}
    </Panel>
  );
}

const COLUMNS = ['step', 'entered', 'converted', 'skipped', 'inProgress', 'lost', 'conversionRate', 'dropOffRate', 'overallRate'].map((key) => ({ key, label: key }));

function StepTable({ steps }: { steps: FunnelStepRow[] }) {
  return (
    <Table size="small" data-testid="funnel-table">
      <TableHead>
        <TableRow>
          <TableCell>Step</TableCell>
          <TableCell align="right">Entered</TableCell>
          <TableCell align="right">Converted</TableCell>
          <TableCell align="right">Skipped</TableCell>
          <TableCell align="right">In window</TableCell>
          <TableCell align="right">Lost</TableCell>
          <TableCell align="right">Conversion</TableCell>
          <TableCell align="right">Drop-off</TableCell>
          <TableCell align="right">Of started</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {steps.map((s) => (
          <TableRow key={s.step}>
            <TableCell>
              {s.step}
              {s.optional ? ' (optional)' : ''}
            </TableCell>
            <TableCell align="right">{count(s.entered)}</TableCell>
            <TableCell align="right">{count(s.converted)}</TableCell>
            <TableCell align="right">{count(s.skipped)}</TableCell>
            <TableCell align="right">{count(s.inProgress)}</TableCell>
            <TableCell align="right">{count(s.lost)}</TableCell>
            <TableCell align="right">{percent(s.conversionRate)}</TableCell>
            <TableCell align="right">{percent(s.dropOffRate)}</TableCell>
            <TableCell align="right">{percent(s.overallRate)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Started → contact → shipping → payment → completed: who went on, who is still within the window, who was lost. */
export default function FunnelReport() {
  const [range, setRange] = useState(lastDays(30));
  const [window, setWindow] = useState('1d');
  const [optional, setOptional] = useState<FunnelStep[]>([]);
  const [breakdown, setBreakdown] = useState('');
  const [selection, setSelection] = useState<Selection | null>(null);
  const params = { from: range.from, to: range.to, window, ...(optional.length ? { optional: optional.join(',') } : {}) };
  const { data, error, loading } = useReport<Funnel>('funnel', { ...params, breakdown: breakdown || undefined });

  const bars = (data?.steps ?? []).map((s) => ({ ...s, label: `${s.step}${s.step === 'started' ? '' : ` · ${percent(s.conversionRate, 0)}`}` }));
  const groupSteps = (data?.steps ?? []).map((s) => ({
    step: s.step,
    ...Object.fromEntries((data?.groups ?? []).map((g) => [g.label, g.steps.find((x) => x.step === s.step)?.overallRate ?? 0])),
  }));

  return (
    <ReportPage
      title="Funnel"
      asOf={data?.asOf}
      error={error}
      loading={loading}
      controls={
        <>
          <DateRangePicker value={range} onChange={(r) => (setRange(r), setSelection(null))} />
          <TextField size="small" select label="window per step" value={window} onChange={(e) => (setWindow(e.target.value), setSelection(null))} sx={{ width: 140 }}>
            {WINDOWS.map((w) => (
              <MenuItem key={w} value={w}>
                {w}
              </MenuItem>
            ))}
          </TextField>
          <TextField size="small" select label="breakdown" value={breakdown} onChange={(e) => setBreakdown(e.target.value)} sx={{ width: 170 }}>
            <MenuItem value="">none</MenuItem>
            <MenuItem value="device">device</MenuItem>
            <MenuItem value="source">source</MenuItem>
            <MenuItem value="customerType">new / returning</MenuItem>
          </TextField>
          <Stack sx={{ alignItems: 'center' }} direction="row">
            <Typography variant="caption" sx={{ mr: 1 }}>
              may skip
            </Typography>
            {OPTIONAL.map((s) => (
              <FormControlLabel key={s} control={<Checkbox size="small" checked={optional.includes(s)} onChange={(e) => setOptional(e.target.checked ? [...optional, s] : optional.filter((x) => x !== s))} />} label={s} />
            ))}
          </Stack>
        </>
      }
    >
      {data ? (
        <>
          <Panel
            title="Checkouts by step"
            testId="funnel-chart"
            action={<CsvButton onClick={() => downloadReportCsv('funnel', { ...params, breakdown: breakdown || undefined })} />}
          >
            <Typography variant="body2" color="text.secondary">
              Click a red (lost) or grey (still within the window) bar to list those checkouts.
            </Typography>
            <Box sx={{ height: 340 }}>
              <ResponsiveContainer>
                <BarChart data={bars} margin={{ top: 24, right: 16, left: 0, bottom: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="converted" name="converted" stackId="a" fill="#1976d2" isAnimationActive={false}>
                    <LabelList dataKey="converted" position="insideTop" fill="#fff" />
                  </Bar>
                  <Bar dataKey="inProgress" name="still within the window" stackId="a" fill="#bdbdbd" cursor="pointer" isAnimationActive={false} onClick={(entry: { payload?: FunnelStepRow }) => entry.payload && setSelection({ stage: entry.payload.step, outcome: 'inProgress' })} />
                  <Bar dataKey="lost" name="lost (drop-off)" stackId="a" fill="#d32f2f" cursor="pointer" isAnimationActive={false} onClick={(entry: { payload?: FunnelStepRow }) => entry.payload && setSelection({ stage: entry.payload.step, outcome: 'lost' })}>
                    <LabelList dataKey="lost" position="top" fill="#d32f2f" />
                  </Bar>
                </BarChart>
              </ResponsiveContainer>
            </Box>
            <StepTable steps={data.steps} />
          </Panel>
          {selection ? <DropOffList selection={selection} params={params} breakdown={breakdown} /> : null}
          {data.groups.length ? (
            <Panel
              title={`Share of started that reached each step, by ${breakdown === 'customerType' ? 'new / returning' : breakdown}`}
              action={
                <CsvButton
                  onClick={() =>
                    downloadCsv(
                      `funnel-groups-${range.from}-${range.to}.csv`,
                      toCsv([{ key: 'group', label: 'group' }, ...COLUMNS], data.groups.flatMap((g) => g.steps.map((s) => ({ group: g.label, ...s })))),
                    )
                  }
                />
              }
            >
              <Box sx={{ height: 300 }}>
                <ResponsiveContainer>
                  <BarChart data={groupSteps}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    <XAxis dataKey="step" />
                    <YAxis tickFormatter={(v: number) => `${Math.round(v * 100)}%`} domain={[0, 1]} />
                    <Tooltip formatter={(v) => percent(Number(v))} />
                    <Legend />
                    {data.groups.map((g, i) => (
                      <Bar key={g.key} dataKey={g.label} fill={GROUP_COLORS[i % GROUP_COLORS.length]} isAnimationActive={false} />
                    ))}
                  </BarChart>
                </ResponsiveContainer>
              </Box>
              {data.groups.map((g) => (
                <Box key={g.key} sx={{ mt: 2 }}>
                  <Typography variant="subtitle2">{g.label}</Typography>
                  <StepTable steps={g.steps} />
                </Box>
              ))}
            </Panel>
          ) : null}
        </>
      ) : null}
    </ReportPage>
  );
}
