import { Alert, Box, Stack, Typography } from '@mui/material';
import { ChannelIcon } from '../common/channels';

/** The server's rendering of a message (the worker's composer, links neutralised). */
export type Preview =
  | { channel: 'email'; subject: string; html: string; text: string }
  | { channel: 'sms'; body: string }
  | { channel: 'push'; title: string; body: string }
  | { channel: string; error: string };

export function MessagePreview({ preview }: { preview: Preview | null | undefined }) {
  if (!preview) return null;
  if ('error' in preview) return <Alert severity="info">This message cannot be rendered now: {preview.error}</Alert>;
  if ('html' in preview) {
    return (
      <Box data-testid="message-preview">
        <Typography variant="body2" sx={{ my: 1 }}>
          <strong>Subject:</strong> {preview.subject}
        </Typography>
        {/* Sandboxed: no scripts, no same-origin access; only the rendered markup. */}
        <iframe title="email preview" sandbox="" srcDoc={preview.html} style={{ width: '100%', height: 420, border: '1px solid #ddd', background: '#fff' }} />
        <Typography variant="caption" color="text.secondary">
          Text part
        </Typography>
        <Box component="pre" sx={{ whiteSpace: 'pre-wrap', fontSize: 13, bgcolor: 'grey.100', p: 1, m: 0 }}>
          {preview.text}
        </Box>
      </Box>
    );
  }
  if ('title' in preview) {
    return (
      <Stack direction="row" spacing={1.5} sx={{ maxWidth: 360, bgcolor: 'grey.100', borderRadius: 2, p: 1.5, my: 1 }} data-testid="message-preview">
        <ChannelIcon channel="push" />
        <Box>
          <Typography variant="subtitle2">{preview.title}</Typography>
          <Typography variant="body2">{preview.body}</Typography>
        </Box>
      </Stack>
    );
  }
  return (
    <Box sx={{ maxWidth: 320, bgcolor: '#e9e9eb', borderRadius: 3, p: 1.5, my: 1, whiteSpace: 'pre-wrap' }} data-testid="message-preview">
      {preview.body}
    </Box>
  );
}
