import { Alert, Box, Card, CardContent, Chip, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { HttpError, useDataProvider } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { ChannelIcon } from '../common/channels';
import type { AppDataProvider } from '../data/dataProvider';
import type { ChannelKind, TemplatePreviewResponse } from '../data/types';

/** The template rendered by the server's renderer on its sample checkout, as the shopper would see it. */
export function TemplatePreview() {
  const dataProvider = useDataProvider<AppDataProvider>();
  const channel = useWatch({ name: 'channel' }) as ChannelKind | undefined;
  const subject = useWatch({ name: 'subject' }) as string | null | undefined;
  const html = useWatch({ name: 'html' }) as string | null | undefined;
  const text = useWatch({ name: 'text' }) as string | undefined;
  const [result, setResult] = useState<TemplatePreviewResponse | null>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!channel) return;
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const answer = await dataProvider.previewTemplate({
          template: { channel, subject: channel === 'sms' ? null : (subject ?? null), html: channel === 'email' ? (html ?? null) : null, text: text ?? '' },
        });
        if (!cancelled) {
          setResult(answer);
          setProblems({});
        }
      } catch (error) {
        if (cancelled) return;
        const http = error instanceof HttpError ? error : null;
        setProblems((http?.body?.errors as Record<string, string>) ?? { template: http?.message ?? String(error) });
      }
    }, 350);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [channel, subject, html, text, dataProvider]);

  return (
    <Card variant="outlined" data-testid="template-preview">
      <CardContent>
        <Typography variant="h6">Preview on a sample checkout</Typography>
        {Object.keys(problems).length ? (
          <Alert severity="warning" sx={{ my: 1 }}>
            {Object.entries(problems).map(([field, message]) => (
              <div key={field}>
                {field}: {message}
              </div>
            ))}
          </Alert>
        ) : null}
        {result?.channel === 'email' ? (
          <Box>
            <Typography variant="body2" sx={{ my: 1 }}>
              <strong>Subject:</strong> {result.subject}
            </Typography>
            {result.html ? (
              // Sandboxed: no scripts, no same-origin access; only the rendered markup.
              <iframe title="email preview" sandbox="" srcDoc={result.html} style={{ width: '100%', height: 420, border: '1px solid #ddd', background: '#fff' }} />
            ) : null}
            <Typography variant="caption" color="text.secondary">
              Text part
            </Typography>
            <Box component="pre" sx={{ whiteSpace: 'pre-wrap', fontSize: 13, bgcolor: 'grey.100', p: 1, m: 0 }}>
              {result.text}
            </Box>
          </Box>
        ) : null}
        {result?.channel === 'sms' ? (
          <Box>
            <Box sx={{ maxWidth: 320, bgcolor: '#e9e9eb', borderRadius: 3, p: 1.5, my: 1, whiteSpace: 'pre-wrap' }} data-testid="sms-body">
              {result.body}
            </Box>
            <Stack direction="row" spacing={1}>
              <Chip size="small" color={result.segments > 1 ? 'warning' : 'success'} label={`${result.segments} segment${result.segments === 1 ? '' : 's'}`} data-testid="sms-segments" />
              <Chip size="small" variant="outlined" label={`${result.units} ${result.encoding} characters`} />
            </Stack>
          </Box>
        ) : null}
        {result?.channel === 'push' ? (
          <Stack direction="row" spacing={1.5} sx={{ maxWidth: 360, bgcolor: 'grey.100', borderRadius: 2, p: 1.5, my: 1 }}>
            <ChannelIcon channel="push" />
            <Box>
              <Typography variant="subtitle2">{result.title}</Typography>
              <Typography variant="body2">{result.body}</Typography>
              {result.truncated ? <Chip size="small" color="warning" label="truncated" /> : null}
            </Box>
          </Stack>
        ) : null}
      </CardContent>
    </Card>
  );
}
