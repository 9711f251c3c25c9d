import { Box } from '@mui/material';
import { BooleanInput, NumberInput, SelectArrayInput, SelectInput, TextInput, required } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { CUSTOMER_TYPE_CHOICES, FormWithAside, Section, STAGE_CHOICES } from '../common/forms';
import { inputRow } from '../common/layout';
import { RuleTester } from './RuleTester';

const STEP_CHOICES = Array.from({ length: 10 }, (_, i) => ({ id: i, name: `step ${i + 1}` }));

function OfferInputs() {
  const type = useWatch({ name: 'offer.type' }) as string | undefined;
  return (
    <Box sx={inputRow}>
      <SelectInput
        source="offer.type"
        label="Offer"
        validate={required()}
        choices={[
          { id: 'percent', name: 'percent off' },
          { id: 'fixed_amount', name: 'amount off' },
          { id: 'free_shipping', name: 'free shipping' },
        ]}
      />
      {type !== 'free_shipping' ? <NumberInput source="offer.amount" label={type === 'percent' ? 'Default percent' : 'Amount'} min={0} /> : null}
      {type === 'percent' ? <NumberInput source="offer.minPercent" label="Model may choose from (%)" min={0} /> : null}
      {type === 'percent' ? <NumberInput source="offer.maxPercent" label="up to (%)" min={0} /> : null}
      <NumberInput source="offer.maxDiscountValue" label="Cap (money)" helperText="most it may give away" min={0} />
      <NumberInput source="offer.expiryHours" label="Code valid (hours)" min={1} />
    </Box>
  );
}

/** Conditions (all must hold), the offer with its caps, and the tester beside them. */
export function RuleForm({ create = false }: { create?: boolean }) {
  return (
    <FormWithAside aside={<RuleTester />} asideMinWidth={340}>
      <Box sx={inputRow}>
        {create ? <TextInput source="id" label="Id (optional)" helperText="letters, digits, - and _" /> : null}
        <TextInput source="name" validate={required()} />
        <NumberInput source="priority" helperText="lower is considered first" />
        <BooleanInput source="enabled" />
      </Box>
      <Section title="Conditions" hint="all must hold; empty means any" />
      <Box sx={inputRow}>
        <NumberInput source="conditions.minCartValue" label="Cart value from" />
        <NumberInput source="conditions.maxCartValue" label="to" />
        <NumberInput source="conditions.minOrdersCount" label="Orders from" />
        <NumberInput source="conditions.maxOrdersCount" label="to" />
        <NumberInput source="conditions.minLifetimeValue" label="Lifetime value from" />
        <NumberInput source="conditions.maxLifetimeValue" label="to" />
      </Box>
      <Box sx={inputRow}>
        <SelectInput
          source="conditions.customerType"
          label="Customers"
          emptyText="any"
          choices={CUSTOMER_TYPE_CHOICES}
        />
        <SelectInput
          source="conditions.previousOffer"
          label="Offered before"
          emptyText="either"
          choices={[
            { id: 'none', name: 'never' },
            { id: 'any', name: 'yes' },
          ]}
        />
        <SelectArrayInput source="conditions.stages" label="Stage reached" choices={STAGE_CHOICES} sx={{ minWidth: 180 }} />
        <SelectArrayInput source="conditions.steps" label="Campaign steps" choices={STEP_CHOICES} sx={{ minWidth: 180 }} />
      </Box>
      <Section title="Offer" />
      <OfferInputs />
    </FormWithAside>
  );
}
