import EmojiEventsIcon from '@mui/icons-material/EmojiEvents';
import { Button, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Fragment, useState } from 'react';
import { Confirm, useNotify } from 'react-admin';
import type { VariantView } from '../../../server/experiments/lift-report';
import { useCanEdit } from '../auth/roles';
import { count, money, percent } from '../common/format';
import { ALWAYS_VALID, FIXED_HORIZON, orPending, pp, ppInterval, signedMoney } from './lift-format';
import { promoteVariant } from './lift-api';

interface StepGroup {
  key: string;
  campaignId: string;
  stepIndex: number;
  variants: VariantView[];
}

/** The report's variants, one group per tested step, in the order the API lists them (baseline first). */
function groupByStep(variants: VariantView[]): StepGroup[] {
  const groups = new Map<string, StepGroup>();
  for (const v of variants) {
    const key = `${v.campaignId}.${v.stepIndex}`;
    const group = groups.get(key) ?? { key, campaignId: v.campaignId, stepIndex: v.stepIndex, variants: [] };
    group.variants.push(v);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function VariantName({ v }: { v: VariantView }) {
  return (
    <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center', whiteSpace: 'nowrap' }}>
      <span>{v.name}</span>
      {v.baseline ? <Chip size="small" variant="outlined" label="baseline" /> : null}
      {v.paused ? <Chip size="small" label="paused" /> : null}
      {/* Promoted or removed since: its results stay readable, but it is no longer drawn. */}
      {v.weight === null ? <Chip size="small" label="no longer in the campaign" /> : null}
    </Stack>
  );
}

function LiftCell({ v, min }: { v: VariantView; min: number }) {
  if (!v.lift) return <>—</>;
  return (
    <Stack>
      <Typography variant="body2" sx={{ fontWeight: v.lift.significant ? 600 : undefined, color: v.lift.significant ? (Number(v.lift.value) > 0 ? 'success.main' : 'error.main') : undefined }}>
        {pp(v.lift.value)}
      </Typography>
      <Typography variant="caption" color="text.secondary" title={ALWAYS_VALID}>
        {orPending(ppInterval(v.lift.ci), v.lift.value, min)}
      </Typography>
      {v.lift.ciFixed ? (
        <Typography variant="caption" color="text.disabled" title={FIXED_HORIZON}>
          fixed-horizon: {ppInterval(v.lift.ciFixed)}
        </Typography>
      ) : null}
    </Stack>
  );
}

/**
 * Each tested step's variants against its first (baseline) one. Editors may end a test by promoting any variant
 * still in the campaign, the baseline included: its templates and offer become the step's own.
 */
export function LiftVariants({ variants, campaignName, onPromoted, minConversions }: { variants: VariantView[]; campaignName: (id: string) => string; onPromoted: () => void; minConversions: number }) {
  const canEdit = useCanEdit();
  const notify = useNotify();
  const [promoting, setPromoting] = useState<VariantView | null>(null);
  const [busy, setBusy] = useState(false);
  const groups = groupByStep(variants);
  if (groups.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary" data-testid="lift-variants">
        No A/B test has decided abandonments in this range. Add variants to a campaign step to compare templates or offers.
      </Typography>
    );
  }
  return (
    <>
      <Table size="small" data-testid="lift-variants">
        <TableHead>
          <TableRow>
            <TableCell>Variant</TableCell>
            <TableCell align="right">Weight</TableCell>
            <TableCell align="right">Decided</TableCell>
            <TableCell align="right">Conversion</TableCell>
            <TableCell align="right">Net / abandonment</TableCell>
            <TableCell>Lift vs baseline ({ALWAYS_VALID})</TableCell>
            <TableCell align="right">Net / 1000 vs baseline</TableCell>
            {canEdit ? <TableCell /> : null}
          </TableRow>
        </TableHead>
        <TableBody>
          {groups.map((g) => (
            <Fragment key={g.key}>
              <TableRow>
                <TableCell colSpan={canEdit ? 8 : 7} sx={{ bgcolor: 'action.hover' }}>
                  <strong>{campaignName(g.campaignId)}</strong> · step {g.stepIndex + 1}
                </TableCell>
              </TableRow>
              {g.variants.map((v) => (
                <TableRow key={v.name} data-testid={`lift-variant-${g.stepIndex}-${v.name}`}>
                  <TableCell>
                    <VariantName v={v} />
                  </TableCell>
                  <TableCell align="right">{v.weight === null ? '—' : `${v.weight} %`}</TableCell>
                  <TableCell align="right">{count(v.decided)}</TableCell>
                  <TableCell align="right">{percent(v.conversionRate)}</TableCell>
                  <TableCell align="right">{money(v.netMarginPerAbandonment)}</TableCell>
                  <TableCell>
                    <LiftCell v={v} min={minConversions} />
                  </TableCell>
                  <TableCell align="right">{v.incrementalNetMarginPer1000 ? signedMoney(v.incrementalNetMarginPer1000.value) : '—'}</TableCell>
                  {canEdit ? (
                    <TableCell align="right">
                      {v.weight !== null ? (
                        <Button size="small" startIcon={<EmojiEventsIcon />} onClick={() => setPromoting(v)} sx={{ whiteSpace: 'nowrap' }}>
                          Promote winner
                        </Button>
                      ) : null}
                    </TableCell>
                  ) : null}
                </TableRow>
              ))}
            </Fragment>
          ))}
        </TableBody>
      </Table>
      <Confirm
        isOpen={promoting !== null}
        loading={busy}
        title={promoting ? `Promote "${promoting.name}" in step ${promoting.stepIndex + 1}?` : ''}
        content={`Its templates and offer become the step's own, the A/B test ends (the variants are removed from ${promoting ? campaignName(promoting.campaignId) : 'the campaign'}) and the campaign gets a new version. The results so far stay in this report.`}
        confirm="Promote"
        onClose={() => setPromoting(null)}
        onConfirm={async () => {
          if (!promoting) return;
          setBusy(true);
          try {
            const campaign = await promoteVariant(promoting.campaignId, promoting.stepIndex, promoting.name);
            notify(`"${promoting.name}" promoted (campaign version ${campaign.version})`, { type: 'success' });
            onPromoted();
          } catch (e) {
            notify((e as Error).message, { type: 'error' });
          } finally {
            setBusy(false);
            setPromoting(null);
          }
        }}
      />
    </>
  );
}
