import { Alert, Box, Button, Chip, LinearProgress, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useCallback, useEffect, useRef, useState } from 'react';
import { HttpError, useDataProvider, useNotify } from 'react-admin';
import { Bar, BarChart, CartesianGrid, Legend, Line, ReferenceLine, ResponsiveContainer, Scatter, ComposedChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useCanEdit } from '../auth/roles';
import { downloadCsv, toCsv } from '../common/csv';
import { dateTime } from '../common/format';
import type { AppDataProvider, ModelVersion, TrainingRun } from '../data/dataProvider';
import { CsvButton, Panel, ReportPage } from './report-kit';

const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

/** What promotion was decided on (ml/training.ts), as stored; versions trained before it have none. */
interface PromotionEvidence {
  promotionInterval?: { low: number | null; high: number | null; level: number; resamples: number; against: 'current' | 'rules' } | null;
  discountCostPer1000?: number | null;
  discountShare?: number | null;
}

const evidenceOf = (v: ModelVersion) => v.metrics as ModelVersion['metrics'] & PromotionEvidence;

const signed = (v: number | null | undefined) => {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const r = Math.round(v);
  return `${r < 0 ? '−' : '+'}${Math.abs(r)}`;
};

/** "95 % bootstrap vs the rules: −120 to +210 per 1000", beside the verdict: the gain the decision rested on. */
function PromotionInterval({ version }: { version: ModelVersion }) {
  const interval = evidenceOf(version).promotionInterval;
  if (!interval) return null;
  const clear = interval.low !== null && interval.low > 0;
  return (
    <Typography variant="caption" component="div" color={clear ? 'success.main' : 'text.secondary'} data-testid="promotion-interval">
      {Math.round(interval.level * 100)} % bootstrap vs {interval.against === 'current' ? 'the model promoted then' : 'the rules'}: {signed(interval.low)} to {signed(interval.high)} per 1000
    </Typography>
  );
}

function RetrainPanel({ onFinished }: { onFinished: () => void }) {
  const dataProvider = useDataProvider<AppDataProvider>();
  const canEdit = useCanEdit();
  const notify = useNotify();
  const [run, setRun] = useState<TrainingRun | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const follow = useCallback(
    (id: string) => {
      const poll = async () => {
        try {
          const next = await dataProvider.trainingRun(id);
          setRun(next);
          if (next.status === 'queued' || next.status === 'running') timer.current = setTimeout(poll, 400);
          else onFinished();
        } catch (error) {
          notify((error as Error).message, { type: 'error' });
        }
      };
      void poll();
    },
    [dataProvider, notify, onFinished],
  );

  // A run already going when the page opens (the nightly one, or started elsewhere) is followed too.
  useEffect(() => {
    void dataProvider.trainingRuns().then((runs) => {
      const live = runs.find((r) => r.status === 'queued' || r.status === 'running');
      if (live) follow(live.id);
      else if (runs[0]) setRun(runs[0]);
    });
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [dataProvider, follow]);

  const busy = run?.status === 'queued' || run?.status === 'running';
  return (
    <Panel
      title="Training"
      testId="training"
      action={
        canEdit ? (
          <Button
            variant="contained"
            disabled={busy}
            onClick={async () => {
              try {
                const started = await dataProvider.retrain();
                setRun(started);
                follow(started.id);
              } catch (error) {
                notify(error instanceof HttpError ? error.message : String(error), { type: 'error' });
              }
            }}
          >
            Retrain now
          </Button>
        ) : null
      }
    >
      {run ? (
        <Box>
          <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: 'center' }}>
            <Chip size="small" label={run.status} color={run.status === 'succeeded' ? 'success' : run.status === 'failed' ? 'error' : 'info'} data-testid="run-status" />
            <Typography variant="body2">
              {run.trigger} run{run.requestedBy ? ` by ${run.requestedBy}` : ''}, {dateTime(run.createdAt)}
              {run.stage ? ` · ${run.stage}` : ''}
            </Typography>
            <Typography variant="body2" sx={{ ml: 'auto' }} data-testid="run-progress">
              {run.progress}%
            </Typography>
          </Stack>
          <LinearProgress variant="determinate" value={run.progress} sx={{ height: 10, borderRadius: 5 }} color={run.status === 'failed' ? 'error' : 'primary'} aria-label="training progress" />
          {run.error ? <Alert severity="error" sx={{ mt: 1 }}>{run.error}</Alert> : null}
          {run.result?.verdict ? (
            <Alert severity={run.result.promoted ? 'success' : 'info'} sx={{ mt: 1 }} data-testid="run-verdict">
              {run.result.promoted ? 'Promoted: ' : 'Not promoted: '}
              {run.result.verdict}
            </Alert>
          ) : null}
        </Box>
      ) : (
        <Typography variant="body2">No training run yet; the nightly job trains at night.</Typography>
      )}
    </Panel>
  );
}

/** Model versions with their holdout metrics, calibration and margin against the rules; retrain, promote, roll back. */
export default function ModelReport() {
  const dataProvider = useDataProvider<AppDataProvider>();
  const canEdit = useCanEdit();
  const notify = useNotify();
  const [versions, setVersions] = useState<ModelVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const load = useCallback(() => {
    dataProvider
      .modelVersions()
      .then((v) => {
        setVersions(v);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof HttpError ? e.message : String(e)));
  }, [dataProvider]);
  useEffect(load, [load]);

  const active = versions?.find((v) => v.status === 'promoted') ?? null;
  const shown = versions?.find((v) => v.id === selected) ?? active ?? versions?.[0] ?? null;
  const promote = async (v: ModelVersion) => {
    try {
      await dataProvider.promoteModel(v.id);
      notify(`${v.label} now decides`, { type: 'success' });
      load();
    } catch (e) {
      notify(e instanceof HttpError ? e.message : String(e), { type: 'error' });
    }
  };
  const margins = [...(versions ?? [])].reverse().map((v) => ({ label: v.label, model: v.metrics.offPolicyMarginPer1000, rules: v.metrics.rulesMarginPer1000 }));

  return (
    <ReportPage title="Model" error={error} loading={versions === null && !error} controls={active ? <Chip color="success" label={`deciding: ${active.label}`} /> : <Chip label="deciding: rules (no model promoted)" />}>
      <RetrainPanel onFinished={load} />
      <Panel
        title="Versions"
        testId="versions"
        action={
          <CsvButton
            onClick={() =>
              downloadCsv(
                'model-versions.csv',
                toCsv(
                  [
                    'label', 'status', 'auc', 'logLoss', 'offPolicyMarginPer1000', 'rulesMarginPer1000', 'currentMarginPer1000', 'gainLow', 'gainHigh', 'gainAgainst',
                    'discountCostPer1000', 'discountShare', 'trainExamples', 'holdoutExamples', 'createdAt', 'promotedAt', 'verdict',
                  ].map((key) => ({ key, label: key })),
                  (versions ?? []).map((v) => {
                    const interval = evidenceOf(v).promotionInterval;
                    return { ...v, ...v.metrics, gainLow: interval?.low ?? null, gainHigh: interval?.high ?? null, gainAgainst: interval?.against ?? null };
                  }),
                ),
              )
            }
          />
        }
      >
        {versions?.length === 0 ? <Typography variant="body2">No model trained yet: the rules decide.</Typography> : null}
        {versions?.length ? (
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>Version</TableCell>
                <TableCell>Status</TableCell>
                <TableCell align="right">AUC</TableCell>
                <TableCell align="right">Log loss</TableCell>
                <TableCell align="right">Margin / 1000 (model)</TableCell>
                <TableCell align="right">vs rules</TableCell>
                <TableCell>Trained</TableCell>
                <TableCell>Verdict</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {versions.map((v) => (
                <TableRow key={v.id} hover selected={v.id === shown?.id} onClick={() => setSelected(v.id)} sx={{ cursor: 'pointer' }}>
                  <TableCell>
                    <strong>{v.label}</strong>
                  </TableCell>
                  <TableCell>
                    <Chip size="small" color={v.status === 'promoted' ? 'success' : 'default'} label={v.status === 'promoted' ? 'active' : v.status} />
                  </TableCell>
                  <TableCell align="right">{num(v.metrics.auc)}</TableCell>
                  <TableCell align="right">{num(v.metrics.logLoss)}</TableCell>
                  <TableCell align="right">{num(v.metrics.offPolicyMarginPer1000, 1)}</TableCell>
                  <TableCell align="right">{num(v.metrics.rulesMarginPer1000, 1)}</TableCell>
                  <TableCell>{dateTime(v.createdAt)}</TableCell>
                  <TableCell sx={{ maxWidth: 360 }}>
                    <Typography variant="caption">{v.verdict}</Typography>
                    <PromotionInterval version={v} />
                  </TableCell>
                  <TableCell>
                    {canEdit && v.status !== 'promoted' ? (
                      <Button size="small" onClick={(e) => (e.stopPropagation(), void promote(v))}>
                        {v.status === 'retired' ? 'Roll back to' : 'Promote'}
                      </Button>
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        ) : null}
      </Panel>
      {versions?.length ? (
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2 }}>
          <Panel title={`Calibration of ${shown?.label ?? ''}`}>
            <Typography variant="caption" color="text.secondary">
              Predicted recovery probability against what happened on the holdout; on the diagonal is well calibrated.
            </Typography>
            <Box sx={{ height: 280 }}>
              <ResponsiveContainer>
                <ComposedChart data={(shown?.metrics.calibration ?? []).filter((b) => b.count > 0)}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" dataKey="predicted" domain={[0, 1]} tickFormatter={(v: number) => v.toFixed(1)} name="predicted" />
                  <YAxis type="number" domain={[0, 1]} tickFormatter={(v: number) => v.toFixed(1)} />
                  <Tooltip formatter={(v) => Number(v).toFixed(3)} />
                  <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke="#9e9e9e" strokeDasharray="4 4" />
                  <Line dataKey="observed" stroke="#1976d2" isAnimationActive={false} />
                  <Scatter dataKey="observed" fill="#1976d2" />
                </ComposedChart>
              </ResponsiveContainer>
            </Box>
          </Panel>
          <Panel title="Off-policy margin per 1000 abandonments: model vs rules">
            <Box sx={{ height: 280 }}>
              <ResponsiveContainer>
                <BarChart data={margins}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" />
                  <YAxis />
                  <Tooltip formatter={(v) => Number(v).toFixed(1)} />
                  <Legend />
                  <Bar dataKey="model" fill="#1976d2" isAnimationActive={false} />
                  <Bar dataKey="rules" fill="#bdbdbd" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </Box>
          </Panel>
        </Box>
      ) : null}
    </ReportPage>
  );
}
