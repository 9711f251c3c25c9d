import { z } from 'zod';
import { OFFER_TYPES } from '../../../../campaigns/discount-rules';

export const RULE_READ_ONLY = ['id', 'createdAt', 'updatedAt'] as const;

export const RULE_LIST = {
  filters: ['q', 'enabled'] as const,
  sortable: ['priority', 'name', 'id', 'updatedAt'] as const,
  defaultSort: { field: 'priority' as const, order: 'ASC' as const },
};

const STAGES = ['cart', 'started', 'contact', 'shipping', 'payment', 'completed'] as const;

/** The rule tester's question: a context, and optionally draft rules instead of the stored ones. */
export const ruleTestSchema = z.strictObject(
  {
    context: z.strictObject(
      {
        cartValue: z.number('must be a number').finite('must be a finite number').min(0, 'must be 0 or more'),
        ordersCount: z.number('must be a number').int('must be a whole number').min(0, 'must be 0 or more').default(0),
        lifetimeValue: z.number('must be a number').finite('must be a finite number').min(0, 'must be 0 or more').default(0),
        isNewCustomer: z.boolean('must be true or false').default(true),
        stage: z.enum(STAGES, `must be one of ${STAGES.join(', ')}`).default('payment'),
        stepIndex: z.number('must be a number').int('must be a whole number').min(0, 'must be 0 or more').max(100, 'must be at most 100'),
        previousOffers: z
          .array(
            z.strictObject({
              type: z.enum(OFFER_TYPES as [string, ...string[]], `must be one of ${OFFER_TYPES.join(', ')}`),
              percent: z.number('must be a number').min(0, 'must be 0 or more').max(100, 'must be at most 100').default(0),
            }),
            'must be a list of offers',
          )
          .default([]),
        shippingValue: z.number('must be a number').finite('must be a finite number').min(0, 'must be 0 or more').nullable().optional(),
      },
      'must be an object',
    ),
    rules: z.array(z.unknown(), 'must be a list of rules').max(200, 'must have at most 200 rules').optional(),
    pinnedRuleId: z.string('must be a rule id').min(1).max(64).nullable().optional(),
  },
  'must be a JSON object',
);
