import { Alert, Box, Card, CardContent, MenuItem, Stack, Table, TableBody, TableCell, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useGetList } from 'react-admin';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ArmSummary } from '../../../server/experiments/lift-report';
import { count, money, percent } from '../common/format';
import type { CampaignStep } from '../data/types';
import { HoldoutPanel } from './HoldoutPanel';
import { ALWAYS_VALID, FIXED_HORIZON, type Lift, moneyInterval, orPending, pp, ppInterval, relative, relativeInterval, signedMoney } from './lift-format';
import { LiftVariants } from './LiftVariants';
import { CsvButton, DateRangePicker, downloadReportCsv, lastDays, Panel, ReportPage, useReport } from './report-kit';

interface CampaignOption {
  id: string;
  name: string;
  steps: CampaignStep[];
}

const VERDICT_SEVERITY = { positive: 'success', negative: 'error', inconclusive: 'info', no_data: 'warning' } as const;

/** The one sentence a marketer reads first: what the reminders cause, or what it takes to know. */
function Verdict({ data }: { data: Lift }) {
  return (
    <Alert severity={VERDICT_SEVERITY[data.verdict.kind]} sx={{ mb: 2 }} data-kind={data.verdict.kind}>
      <Typography variant="h6" component="p" data-testid="lift-verdict">
        {data.verdict.text}
      </Typography>
      <Typography variant="caption" component="p">
        Only abandonments whose attribution window has closed count; the verdict reads the interval {ALWAYS_VALID}.
        {data.untested.n > 0 ? ` ${count(data.untested.n)} abandonments of campaigns without a holdout are in no comparison.` : ''}
      </Typography>
    </Alert>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <TableRow>
      <TableCell sx={{ pl: 0, color: 'text.secondary' }}>{label}</TableCell>
      <TableCell align="right" sx={{ pr: 0 }} data-testid={testId}>
        {value}
      </TableCell>
    </TableRow>
  );
}

/** One group's figures: decided abandonments only, the still-open ones counted apart. */
function ArmCard({ arm, title, hint, summary }: { arm: 'control' | 'treatment'; title: string; hint: string; summary: ArmSummary }) {
  return (
    <Card variant="outlined" sx={{ flex: '1 1 260px' }} data-testid={`lift-card-${arm}`}>
      <CardContent>
        <Typography variant="caption" color="text.secondary">
          {title} · {hint}
        </Typography>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline' }}>
          <Typography variant="h4" data-testid={`lift-${arm}-decided`}>
            {count(summary.decided)}
          </Typography>
          <Typography variant="body2">decided</Typography>
          <Typography variant="body2" color="text.secondary" data-testid={`lift-${arm}-open`}>
            + {count(summary.open)} still open
          </Typography>
        </Stack>
        <Table size="small">
          <TableBody>
            <Figure label="Conversion" value={`${percent(summary.conversionRate)} (${count(summary.converted)})`} testId={`lift-${arm}-conversion`} />
            <Figure label="Revenue / abandonment" value={money(summary.revenuePerAbandonment)} />
            <Figure label="Net margin / abandonment" value={money(summary.netMarginPerAbandonment)} />
            <Figure label="Messages sent" value={count(summary.messagesSent)} testId={`lift-${arm}-sent`} />
            <Figure label="Unsubscribes" value={count(summary.unsubscribed)} />
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}

function Estimate({ label, estimate, value, always, fixed, strong, min }: { label: string; estimate: number | null; value: string; always: string; fixed: string; strong?: boolean; min: number }) {
  return (
    <TableRow>
      <TableCell sx={{ pl: 0 }}>{label}</TableCell>
      <TableCell align="right" sx={{ fontWeight: strong ? 600 : undefined, fontSize: strong ? '1.1rem' : undefined }}>
        {value}
      </TableCell>
      <TableCell>{orPending(always, estimate, min)}</TableCell>
      <TableCell sx={{ color: 'text.secondary' }}>{orPending(fixed, estimate, min)}</TableCell>
    </TableRow>
  );
}

/** Treatment minus control, with both intervals side by side (only the first may be read every day). */
function LiftFigures({ data }: { data: Lift }) {
  const { lift, incrementalRevenuePer1000: revenue, incrementalNetMarginPer1000: net } = data;
  return (
    <Table size="small" data-testid="lift-estimate">
      <TableBody>
        <TableRow>
          <TableCell sx={{ pl: 0 }} />
          <TableCell align="right">estimate</TableCell>
          <TableCell>{ALWAYS_VALID}</TableCell>
          <TableCell sx={{ color: 'text.secondary' }}>{FIXED_HORIZON}</TableCell>
        </TableRow>
        <Estimate label="Conversion lift" estimate={lift.absolute} value={pp(lift.absolute)} always={ppInterval(lift.ci)} fixed={ppInterval(lift.ciFixed)} strong min={data.minConversionsForInterval} />
        <Estimate label="Relative lift" estimate={lift.relative} value={relative(lift.relative)} always={relativeInterval(lift.relativeCi)} fixed={relativeInterval(lift.relativeCiFixed)} min={data.minConversionsForInterval} />
        <Estimate label="Incremental revenue / 1000 abandonments" estimate={revenue.value} value={signedMoney(revenue.value)} always={moneyInterval(revenue.ci)} fixed={moneyInterval(revenue.ciFixed)} min={data.minConversionsForInterval} />
        <Estimate label="Incremental net margin / 1000 abandonments" estimate={net.value} value={signedMoney(net.value)} always={moneyInterval(net.ci)} fixed={moneyInterval(net.ciFixed)} strong min={data.minConversionsForInterval} />
      </TableBody>
    </Table>
  );
}

/** The cumulative estimate by abandonment day inside its always-valid band, which narrows as outcomes are decided. */
function LiftBand({ series }: { series: Lift['series'] }) {
  const scaled = (v: number | null) => (v === null ? null : v * 100);
  const data = series.map((s) => ({ day: s.day, absolute: scaled(s.absolute), band: [scaled(s.low), scaled(s.high)], decided: s.controlDecided + s.treatmentDecided }));
  return (
    <Box sx={{ height: 300 }} data-testid="lift-band">
      <ResponsiveContainer>
        <ComposedChart data={data}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} />
          <YAxis tickFormatter={(v: number) => `${v.toFixed(0)} pp`} width={60} />
          <Tooltip
            formatter={(value, name) => {
              if (Array.isArray(value)) return [value.map((v) => (v === null ? '—' : `${Number(v).toFixed(1)}`)).join(' to ') + ' pp', name];
              return [value === null || value === undefined ? '—' : `${Number(value).toFixed(1)} pp`, name];
            }}
          />
          <Legend />
          <ReferenceLine y={0} stroke="#616161" strokeDasharray="5 5" />
          <Area dataKey="band" name={ALWAYS_VALID} stroke="none" fill="#1976d2" fillOpacity={0.18} isAnimationActive={false} />
          <Line dataKey="absolute" name="lift (treatment − control)" stroke="#1976d2" strokeWidth={2} dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </Box>
  );
}

/** What the reminders cause: held-out abandonments against reminded ones, and each step's A/B test. */
export default function LiftReport() {
  const [range, setRange] = useState(lastDays(30));
  const [campaignId, setCampaignId] = useState('');
  const [stepIndex, setStepIndex] = useState('');
  const campaigns = useGetList<CampaignOption>('campaigns', { pagination: { page: 1, perPage: 100 }, sort: { field: 'priority', order: 'ASC' } });
  const params = { from: range.from, to: range.to, campaignId: campaignId || undefined, stepIndex: stepIndex === '' ? undefined : Number(stepIndex) };
  const { data, error, loading, reload } = useReport<Lift>('lift', params);
  const selected = campaigns.data?.find((c) => c.id === campaignId);
  const stepCount = selected ? selected.steps.length : Math.max(0, ...(campaigns.data ?? []).map((c) => c.steps.length));
  const campaignName = (id: string) => campaigns.data?.find((c) => c.id === id)?.name ?? id;
  const refresh = () => {
    reload();
    void campaigns.refetch();
  };
  return (
    <ReportPage
      title="Lift"
      asOf={data?.asOf}
      error={error}
      loading={loading}
      controls={
        <>
          <DateRangePicker value={range} onChange={setRange} />
          <TextField
            size="small"
            select
            label="campaign"
            value={campaignId}
            onChange={(e) => {
              setCampaignId(e.target.value);
              setStepIndex('');
            }}
            sx={{ width: 240 }}
          >
            <MenuItem value="">all campaigns</MenuItem>
            {(campaigns.data ?? []).map((c) => (
              <MenuItem key={c.id} value={c.id}>
                {c.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField size="small" select label="step" value={stepIndex} onChange={(e) => setStepIndex(e.target.value)} sx={{ width: 120 }}>
            <MenuItem value="">all steps</MenuItem>
            {Array.from({ length: stepCount }, (_, i) => (
              <MenuItem key={i} value={String(i)}>
                step {i + 1}
              </MenuItem>
            ))}
          </TextField>
          <CsvButton onClick={() => downloadReportCsv('lift', params)} />
        </>
      }
    >
      {data ? (
        <>
          <Verdict data={data} />
          <Stack direction="row" spacing={2} useFlexGap sx={{ mb: 2, flexWrap: 'wrap' }}>
            <ArmCard arm="control" title="Control" hint="held out: planned, never sent" summary={data.control} />
            <ArmCard arm="treatment" title="Treatment" hint="reminded as planned" summary={data.treatment} />
            <HoldoutPanel holdout={data.holdout} campaignSelected={!!campaignId} onChanged={refresh} />
          </Stack>
          <Panel title="Lift: treatment − control">
            <LiftFigures data={data} />
            <Typography variant="subtitle2" sx={{ mt: 2 }}>
              Conversion lift by abandonment day, cumulative
            </Typography>
            <Typography variant="caption" color="text.secondary">
              Each day counts the decided abandonments from the start of the range up to it; the shaded band ({ALWAYS_VALID}) starts once each group has enough conversions and narrows as outcomes come in.
            </Typography>
            <LiftBand series={data.series} />
          </Panel>
          <Panel title="A/B tests: each variant against its step's baseline">
            <LiftVariants variants={data.variants} campaignName={campaignName} onPromoted={refresh} minConversions={data.minConversionsForInterval} />
          </Panel>
        </>
      ) : null}
    </ReportPage>
  );
}
