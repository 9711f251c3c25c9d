/**
 * What a discount rule written by a person (the console, the API) must look like. Strict: an unknown field is
 * an error, and every error names its field (`offer.maxPercent`), so a form can show it where it belongs.
 * Cross-field rules: each min ≤ its max; percents within 0–100 and the default percent inside its range;
 * a fixed amount above 0; a range only on percent offers; codes expiring after more than 0 hours.
 */
import { z } from 'zod';
import { DEFAULT_EXPIRY_HOURS, DiscountConditions, DiscountOffer, DiscountRule, OFFER_TYPES } from './discount-rules';
import { CHECKOUT_STAGES as STAGES } from './types';

const money = z.number('must be a number').finite('must be a finite number').min(0, 'must be 0 or more');
const count = z.number('must be a number').int('must be a whole number').min(0, 'must be 0 or more');
const percent = z.number('must be a number').min(0, 'must be 0 or more').max(100, 'must be at most 100');

type Issue = { path: string[]; message: string };

function rangeIssues(value: Record<string, unknown>, pairs: ReadonlyArray<readonly [string, string]>): Issue[] {
  return pairs.flatMap(([minKey, maxKey]) => {
    const min = value[minKey];
    const max = value[maxKey];
    return typeof min === 'number' && typeof max === 'number' && min > max ? [{ path: [maxKey], message: `must be at least ${minKey} (${min})` }] : [];
  });
}

export const discountConditionsSchema = z
  .strictObject({
    minCartValue: money.nullable().optional(),
    maxCartValue: money.nullable().optional(),
    minOrdersCount: count.nullable().optional(),
    maxOrdersCount: count.nullable().optional(),
    minLifetimeValue: money.nullable().optional(),
    maxLifetimeValue: money.nullable().optional(),
    customerType: z.enum(['new', 'returning', 'any'], 'must be "new", "returning" or "any"').optional(),
    stages: z.array(z.enum(STAGES, `must be one of ${STAGES.join(', ')}`)).nullable().optional(),
    steps: z.array(count.max(100, 'must be at most 100')).nullable().optional(),
    previousOffer: z.enum(['none', 'any'], 'must be "none", "any" or null').nullable().optional(),
  }, 'must be an object')
  .superRefine((conditions, ctx) => {
    const pairs = [
      ['minCartValue', 'maxCartValue'],
      ['minOrdersCount', 'maxOrdersCount'],
      ['minLifetimeValue', 'maxLifetimeValue'],
    ] as const;
    for (const issue of rangeIssues(conditions, pairs)) ctx.addIssue({ code: 'custom', ...issue });
  });

export const discountOfferSchema = z
  .strictObject({
    type: z.enum(OFFER_TYPES as [string, ...string[]], `must be one of ${OFFER_TYPES.join(', ')}`),
    amount: z.number('must be a number').finite('must be a finite number').min(0, 'must be 0 or more').optional(),
    minPercent: percent.nullable().optional(),
    maxPercent: percent.nullable().optional(),
    maxDiscountValue: money.positive('must be more than 0').nullable().optional(),
    expiryHours: z
      .number('must be a number')
      .positive('must be more than 0')
      .max(24 * 365, 'must be at most 8760 (a year)')
      .default(DEFAULT_EXPIRY_HOURS),
  }, 'must be an object')
  .superRefine((offer, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const { type, amount, minPercent, maxPercent } = offer;
    if (type !== 'percent') {
      if (minPercent != null) issue('minPercent', 'only percent offers have a range');
      if (maxPercent != null) issue('maxPercent', 'only percent offers have a range');
    }
    if (type === 'percent') {
      if (amount === undefined) issue('amount', 'is required: the default percent');
      else if (amount <= 0 || amount > 100) issue('amount', 'must be a percent above 0 and at most 100');
      const inverted = rangeIssues(offer, [['minPercent', 'maxPercent']]);
      for (const i of inverted) issue(i.path[0], i.message);
      if (inverted.length === 0 && amount !== undefined && minPercent != null && amount < minPercent) issue('amount', `must be within the range: at least minPercent (${minPercent})`);
      if (inverted.length === 0 && amount !== undefined && maxPercent != null && amount > maxPercent) issue('amount', `must be within the range: at most maxPercent (${maxPercent})`);
    } else if (type === 'fixed_amount') {
      if (amount === undefined || amount <= 0) issue('amount', 'is required and must be more than 0 for a fixed_amount offer');
    } else if (amount !== undefined && amount !== 0) {
      issue('amount', 'must be 0 (or absent) for a free_shipping offer');
    }
  })
  .transform((offer): DiscountOffer => ({ ...offer, type: offer.type as DiscountOffer['type'], amount: offer.amount ?? 0 }));

export const discountRuleInputSchema = z.strictObject({
  /** Optional on create (a UUID is assigned); letters, digits, `-` and `_`. */
  id: z
    .string('must be a string')
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 letters, digits, "-" or "_", starting with a letter or digit')
    .optional(),
  name: z.string('must be a string').trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  priority: z.number('must be a number').int('must be a whole number').min(0, 'must be 0 or more').max(1_000_000, 'must be at most 1000000').default(100),
  enabled: z.boolean('must be true or false').default(true),
  conditions: discountConditionsSchema.default({}),
  offer: discountOfferSchema,
}, 'must be a JSON object');

export type DiscountRuleInput = Omit<DiscountRule, 'id'> & { id?: string };

/** One thing wrong with a rule: where (`offer.maxPercent`), and what. */
export interface RuleInputProblem {
  path: string;
  message: string;
}

export type RuleInputResult = { ok: true; rule: DiscountRuleInput } | { ok: false; problems: RuleInputProblem[] };

function joinPath(segments: ReadonlyArray<PropertyKey>): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${String(s)}`)).join('');
}

/** Checks a rule as written; each problem names its field, an unknown field by its own path. */
export function parseDiscountRuleInput(input: unknown): RuleInputResult {
  const parsed = discountRuleInputSchema.safeParse(input);
  if (parsed.success) {
    const { conditions, ...rest } = parsed.data;
    return { ok: true, rule: { ...rest, conditions: conditions as DiscountConditions } };
  }
  const problems = parsed.error.issues.flatMap((issue): RuleInputProblem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: joinPath([...issue.path, key]), message: 'is not a known field' }))
      : [{ path: joinPath(issue.path), message: issue.message }],
  );
  return { ok: false, problems };
}
