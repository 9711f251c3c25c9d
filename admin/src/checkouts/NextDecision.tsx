import { Button, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useState } from 'react';
import type { NextDecisionPreview } from '../../../server/ml/next-decision-view';
import { channelLabel } from '../common/channels';
import { dateTime, money, percent } from '../common/format';
import { getJson } from '../data/http';

type Action = { channel: string; discountPct: number };
const describe = (a: Action) => (a.channel === 'none' ? 'send nothing more' : `${channelLabel(a.channel)}${a.discountPct > 0 ? ` with ${a.discountPct}% off` : ', no discount'}`);
const same = (a: Action, b: Action) => a.channel === b.channel && a.discountPct === b.discountPct;

/**
 * "What the model would do now": the enrollment's next step as the planner sees it at this moment and the decision
 * the policy would take on it (no exploration), every candidate with its expected margin. Asked for, not loaded with the page.
 */
export function NextDecision({ checkoutId }: { checkoutId: string }) {
  const [preview, setPreview] = useState<NextDecisionPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ask = async () => {
    setBusy(true);
    try {
      setPreview(await getJson<NextDecisionPreview>(`/ml/checkouts/${checkoutId}/next-decision`));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card variant="outlined" data-testid="next-decision">
      <CardContent>
        <Typography variant="h6">What the model would do now</Typography>
        <Button size="small" onClick={ask} disabled={busy}>
          {preview ? 'Ask again' : 'Ask'}
        </Button>
        {error ? <Typography color="error">{error}</Typography> : null}
        {preview && !preview.available ? <Typography variant="body2">{preview.reason}</Typography> : null}
        {preview && preview.available ? (
          <>
            <Typography variant="body2" sx={{ mt: 1 }} data-testid="next-decision-action">
              Step {preview.stepIndex + 1}
              {preview.variant ? ` (variant “${preview.variant}”)` : ''}, due {dateTime(preview.sendAt)}: <strong>{describe(preview.action)}</strong>
              {preview.modelVersion ? ` · model ${preview.modelVersion}` : ' · no promoted model: the rules'}
            </Typography>
            <Typography variant="caption" sx={{ display: 'block', mb: 1 }}>
              {preview.reason}
            </Typography>
            <Table size="small">
              <TableHead>
                <TableRow>
                  <TableCell>Candidate</TableCell>
                  <TableCell align="right">Recovery</TableCell>
                  <TableCell align="right">Expected margin</TableCell>
                  <TableCell />
                </TableRow>
              </TableHead>
              <TableBody>
                {preview.candidates.map((c) => (
                  <TableRow key={`${c.action.channel}:${c.action.discountPct}`} selected={same(c.action, preview.action)}>
                    <TableCell>{describe(c.action)}</TableCell>
                    <TableCell align="right">{percent(c.probability)}</TableCell>
                    <TableCell align="right">{money(c.expectedMargin)}</TableCell>
                    <TableCell>{same(c.action, preview.rulesAction) ? 'the rules’ choice' : ''}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </>
        ) : null}
      </CardContent>
    </Card>
  );
}
