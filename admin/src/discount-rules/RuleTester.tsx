import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import RemoveCircleOutlineIcon from '@mui/icons-material/RemoveCircleOutlineOutlined';
import { Alert, Box, Button, Card, CardContent, Checkbox, Chip, FormControlLabel, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { HttpError, useDataProvider, useGetList } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { money, words } from '../common/format';
import { OpenStageField } from '../common/forms';
import type { AppDataProvider } from '../data/dataProvider';
import type { CheckoutStage, RuleTestResponse } from '../data/types';

type RuleRecord = { id?: string; name: string; priority?: number; enabled?: boolean; conditions?: unknown; offer: unknown };

const asDraft = (r: RuleRecord) => ({ ...(r.id ? { id: r.id } : {}), name: r.name, priority: r.priority, enabled: r.enabled, conditions: r.conditions ?? {}, offer: r.offer });

/** "What would this customer get?": the rules in priority order, with the form's unsaved rule in place of the stored one. */
export function RuleTester() {
  const dataProvider = useDataProvider<AppDataProvider>();
  const draft = useWatch() as RuleRecord;
  const { data: stored } = useGetList<RuleRecord & { id: string }>('discount-rules', { pagination: { page: 1, perPage: 500 }, sort: { field: 'priority', order: 'ASC' } });
  const [useDraft, setUseDraft] = useState(true);
  const [cartValue, setCartValue] = useState(180);
  const [ordersCount, setOrdersCount] = useState(0);
  const [lifetimeValue, setLifetimeValue] = useState(0);
  const [stage, setStage] = useState<CheckoutStage>('payment');
  const [step, setStep] = useState(1);
  const [offeredBefore, setOfferedBefore] = useState(false);
  const [result, setResult] = useState<RuleTestResponse | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const test = async () => {
    const rules = useDraft && stored ? [...stored.filter((r) => r.id !== draft.id).map(asDraft), asDraft(draft)] : undefined;
    try {
      setResult(
        await dataProvider.testDiscountRules({
          context: { cartValue, ordersCount, lifetimeValue, isNewCustomer: ordersCount === 0, stage, stepIndex: step - 1, previousOffers: offeredBefore ? [{ type: 'percent', percent: 10 }] : [] },
          rules,
        }),
      );
      setProblem(null);
    } catch (error) {
      const http = error instanceof HttpError ? error : null;
      setResult(null);
      setProblem(http?.message ?? String(error));
    }
  };

  return (
    <Card variant="outlined" data-testid="rule-tester">
      <CardContent>
        <Typography variant="h6">What would this customer get?</Typography>
        <Stack direction="row" spacing={1} useFlexGap sx={{ my: 2, flexWrap: 'wrap' }}>
          <TextField size="small" type="number" label="cart value" value={cartValue} onChange={(e) => setCartValue(Number(e.target.value))} sx={{ width: 110 }} slotProps={{ htmlInput: { 'data-testid': 'tester-cart-value' } }} />
          <TextField size="small" type="number" label="orders before" value={ordersCount} onChange={(e) => setOrdersCount(Number(e.target.value))} sx={{ width: 110 }} />
          <TextField size="small" type="number" label="lifetime value" value={lifetimeValue} onChange={(e) => setLifetimeValue(Number(e.target.value))} sx={{ width: 120 }} />
          <OpenStageField value={stage} onChange={setStage} />
          <TextField size="small" type="number" label="campaign step" value={step} onChange={(e) => setStep(Math.max(1, Number(e.target.value)))} sx={{ width: 110 }} />
          <FormControlLabel control={<Checkbox size="small" checked={offeredBefore} onChange={(e) => setOfferedBefore(e.target.checked)} />} label="offered 10% before" />
          <FormControlLabel control={<Checkbox size="small" checked={useDraft} onChange={(e) => setUseDraft(e.target.checked)} />} label="with my unsaved changes" />
        </Stack>
        <Button variant="contained" onClick={test} data-testid="run-tester">
          Test
        </Button>
        {problem ? (
          <Alert severity="error" sx={{ mt: 2 }}>
            {problem}
          </Alert>
        ) : null}
        {result ? (
          <Box sx={{ mt: 2 }} data-testid="tester-result">
            <Alert severity={result.rule ? 'success' : 'info'} icon={false}>
              {result.rule ? (
                <>
                  <Typography variant="h5" component="div">
                    {result.rule.offer.type === 'percent' ? `${result.defaultPercent}% off` : result.rule.offer.type === 'free_shipping' ? 'Free shipping' : `${money(result.rule.offer.amount)} off`} · {money(result.discountValue)}
                  </Typography>
                  <span>
                    by <strong>{result.rule.name}</strong>; the model may choose {result.allowedPercents.join(', ')}%
                  </span>
                </>
              ) : (
                <Typography variant="h6">No discount: no rule applies</Typography>
              )}
            </Alert>
            <Stack spacing={0.5} sx={{ mt: 1 }}>
              {result.rules.map((r) => (
                <Stack sx={{ alignItems: 'center' }} key={r.id} direction="row" spacing={1}>
                  {r.matched ? <CheckCircleIcon color="success" fontSize="small" /> : <RemoveCircleOutlineIcon color="disabled" fontSize="small" />}
                  <Typography variant="body2" sx={{ fontWeight: r.id === result.rule?.id ? 700 : 400 }}>
                    {r.priority} · {r.name}
                  </Typography>
                  {r.mismatch ? <Chip size="small" variant="outlined" label={words(r.mismatch)} /> : null}
                </Stack>
              ))}
            </Stack>
          </Box>
        ) : null}
      </CardContent>
    </Card>
  );
}
