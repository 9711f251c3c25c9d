import DownloadIcon from '@mui/icons-material/Download';
import { Alert, Box, Button, Card, CardContent, CircularProgress, Stack, TextField, Typography } from '@mui/material';
import { type ReactNode, useEffect, useState } from 'react';
import { HttpError, Title, useDataProvider } from 'react-admin';
import { downloadCsv } from '../common/csv';
import { isoDay } from '../common/format';
import type { AppDataProvider } from '../data/dataProvider';
import { API, query, refreshSession } from '../data/http';

export type Params = Record<string, string | number | null | undefined>;

export interface DateRange {
  from: string;
  to: string;
}

/** The last `days` days ending today, in UTC days (what the reports API counts in). */
export function lastDays(days: number): DateRange {
  const now = new Date();
  const utcToday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = new Date(utcToday.getTime() - (days - 1) * 86_400_000);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { from: day(from), to: day(utcToday) };
}

/** A from–to picker (UTC days) with the usual shortcuts. */
export function DateRangePicker({ value, onChange }: { value: DateRange; onChange: (range: DateRange) => void }) {
  return (
    <Stack sx={{ alignItems: 'center', flexWrap: 'wrap' }} direction="row" spacing={1} useFlexGap data-testid="date-range">
      <TextField size="small" type="date" label="from" value={value.from} onChange={(e) => onChange({ ...value, from: e.target.value })} slotProps={{ inputLabel: { shrink: true }, htmlInput: { max: value.to } }} />
      <TextField size="small" type="date" label="to" value={value.to} onChange={(e) => onChange({ ...value, to: e.target.value })} slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: value.from, max: isoDay(new Date(Date.now() + 86_400_000)) } }} />
      {[7, 30, 90].map((days) => (
        <Button key={days} size="small" onClick={() => onChange(lastDays(days))}>
          {days} days
        </Button>
      ))}
    </Stack>
  );
}

/** Loads a report whenever its parameters change; the newest request wins. */
export function useReport<T>(name: string, params: Params): { data: T | null; error: string | null; loading: boolean; reload: () => void } {
  const dataProvider = useDataProvider<AppDataProvider>();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(params);
  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    dataProvider
      .report<T>(name, JSON.parse(key))
      .then((answer) => {
        if (cancelled) return;
        setData(answer);
        setError(null);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setError(e instanceof HttpError ? e.message : String(e));
      })
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [name, key, tick, dataProvider]);
  return { data, error, loading, reload: () => setTick((t) => t + 1) };
}

/** Downloads the API's CSV of a report (`format=csv`), refreshing the session once if needed. */
export async function downloadReportCsv(path: string, params: Params): Promise<void> {
  const url = `${API}/reports/${path}${query({ ...params, format: 'csv' })}`;
  let response = await fetch(url, { credentials: 'same-origin' });
  if (response.status === 401 && (await refreshSession())) response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`CSV export failed (${response.status})`);
  const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `${path.replace(/\//g, '-')}.csv`;
  downloadCsv(filename, await response.text());
}

export function CsvButton({ onClick, label = 'CSV' }: { onClick: () => Promise<void> | void; label?: string }) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <Button
      size="small"
      startIcon={<DownloadIcon />}
      disabled={busy}
      title={failed ?? 'Download this table as CSV'}
      color={failed ? 'error' : 'primary'}
      onClick={async () => {
        setBusy(true);
        try {
          await onClick();
          setFailed(null);
        } catch (e) {
          setFailed((e as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      {label}
    </Button>
  );
}

export function ReportPage({ title, controls, children, error, loading, asOf }: { title: string; controls: ReactNode; children: ReactNode; error: string | null; loading: boolean; asOf?: string | null }) {
  return (
    <Box sx={{ mt: 2 }}>
      <Title title={title} />
      <Card sx={{ mb: 2 }}>
        <CardContent>
          <Stack sx={{ alignItems: 'center', flexWrap: 'wrap' }} direction="row" spacing={2} useFlexGap>
            <Typography variant="h5" sx={{ mr: 2 }}>
              {title}
            </Typography>
            {controls}
            {loading ? <CircularProgress size={20} /> : null}
            {asOf ? (
              <Typography variant="caption" color="text.secondary" sx={{ ml: 'auto' }}>
                as of {new Date(asOf).toLocaleString()}
              </Typography>
            ) : null}
          </Stack>
        </CardContent>
      </Card>
      {error ? (
        <Alert severity="error" sx={{ mb: 2 }} data-testid="report-error">
          {error}
        </Alert>
      ) : null}
      {children}
    </Box>
  );
}

export function Panel({ title, action, children, testId }: { title: string; action?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <Card sx={{ mb: 2 }} data-testid={testId}>
      <CardContent>
        <Stack direction="row" sx={{ mb: 1, alignItems: 'center' }}>
          <Typography variant="h6">{title}</Typography>
          <Box sx={{ ml: 'auto' }}>{action}</Box>
        </Stack>
        {children}
      </CardContent>
    </Card>
  );
}
