/**
 * What a campaign written by a person (the console, the API) must look like. Strict: an unknown field is an
 * error, and every error names its field (`steps.1.delayMinutes`), so a form can show it where it belongs.
 *
 * Beyond each field's own range:
 *  - 1–10 steps, each due no earlier than the one before, and within the enrollment's expiry;
 *  - a step's channels are distinct; every concrete channel it lists has a template, and a
 *    `last_engaged` step has at least one template to choose among;
 *  - a waterfall needs a second channel to fall back to;
 *  - send-time arms are distinct and within the expiry;
 *  - quiet hours are two different HH:MM times; the cap's minimum gap fits in its window;
 *  - an A/B/n test has 2–5 variants with distinct names, weights summing to 100 and at least one not paused,
 *    whose templates are for channels the step uses.
 *
 * Whether the named templates and discount rules exist, and whether the rules allow a step's or a variant's
 * offer, is a question for the store: `referenceProblems` answers it, given what exists.
 */
import { z } from 'zod';
import { type DiscountRule, percentRange } from './discount-rules';
import type { Campaign, CampaignStep, ChannelKind, StepVariant } from './types';
import { CHANNELS, CHECKOUT_STAGES as STAGES } from './types';

const CHOICES = ['email', 'push', 'sms', 'last_engaged'] as const;
export const MAX_STEPS = 10;
export const MAX_VARIANTS = 5;
export const MAX_HOLDOUT_PERCENT = 50;
const WEEK_MINUTES = 7 * 24 * 60;

const int = (min: number, max: number) =>
  z
    .number('must be a number')
    .int('must be a whole number')
    .min(min, `must be ${min} or more`)
    .max(max, `must be at most ${max}`);
const money = z.number('must be a number').finite('must be a finite number').min(0, 'must be 0 or more');
const hhmm = z.string('must be a time "HH:MM"').regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time "HH:MM" (00:00–23:59)');
const templateKey = z.string('must be a template key').min(1, 'must not be empty').max(64, 'must be at most 64 characters');

const templatesSchema = z.strictObject(
  { email: templateKey.optional(), push: templateKey.optional(), sms: templateKey.optional() },
  'must be an object of template keys per channel',
);
const offerPercent = int(0, 100);

const variantSchema = z.strictObject(
  {
    name: z
      .string('must be a string')
      .trim()
      .min(1, 'must not be empty')
      .max(40, 'must be at most 40 characters')
      .regex(/^[\p{L}\p{N} ._-]+$/u, 'may hold letters, digits, spaces, ".", "_" and "-" only'),
    weight: int(1, 100),
    templates: templatesSchema.nullable().optional(),
    discountPct: offerPercent.nullable().optional(),
    paused: z.boolean('must be true or false').optional(),
  },
  'must be an object',
);

const stepSchema = z.strictObject(
  {
    delayMinutes: int(0, 60 * 24 * 30),
    channels: z
      .array(z.enum(CHOICES, `must be one of ${CHOICES.join(', ')}`), 'must be a list of channels')
      .min(1, 'must list at least one channel')
      .max(4, 'must list at most 4 channels'),
    templates: templatesSchema,
    discountRuleId: z.string('must be a discount rule id').min(1, 'must not be empty').max(64, 'must be at most 64 characters').nullable().optional(),
    waterfall: z
      .strictObject({ until: z.enum(['delivered', 'clicked'], 'must be "delivered" or "clicked"'), afterMinutes: int(1, WEEK_MINUTES) }, 'must be an object')
      .nullable()
      .optional(),
    sendTimeArms: z.array(int(0, 60 * 24 * 30), 'must be a list of minutes').min(1, 'must list at least one delay (or be null)').max(8, 'must list at most 8 delays').nullable().optional(),
    discountPct: offerPercent.nullable().optional(),
    variants: z
      .array(variantSchema, 'must be a list of variants')
      .min(2, 'must have at least 2 variants (or be null)')
      .max(MAX_VARIANTS, `must have at most ${MAX_VARIANTS} variants`)
      .nullable()
      .optional(),
  },
  'must be an object',
);

const campaignObject = z.strictObject(
  {
    name: z.string('must be a string').trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    status: z.enum(['active', 'paused'], 'must be "active" or "paused"').default('paused'),
    priority: int(0, 1_000_000).default(100),
    triggerIdleMinutes: int(1, WEEK_MINUTES).default(30),
    eligibility: z
      .strictObject(
        {
          minCartValue: money.nullable().optional(),
          maxCartValue: money.nullable().optional(),
          stages: z.array(z.enum(STAGES, `must be one of ${STAGES.join(', ')}`), 'must be a list of stages').nullable().optional(),
          customerType: z.enum(['new', 'returning', 'any'], 'must be "new", "returning" or "any"').optional(),
        },
        'must be an object',
      )
      .default({}),
    steps: z.array(stepSchema, 'must be a list of steps').min(1, 'must have at least one step').max(MAX_STEPS, `must have at most ${MAX_STEPS} steps`),
    quietHours: z.strictObject({ start: hhmm, end: hhmm }, 'must be { start, end }').default({ start: '21:00', end: '08:00' }),
    frequencyCap: z
      .strictObject({ maxMessages: int(1, 100), windowHours: int(1, 720), minGapHours: int(0, 720) }, 'must be { maxMessages, windowHours, minGapHours }')
      .default({ maxMessages: 3, windowHours: 168, minGapHours: 12 }),
    expiryHours: int(1, 720).default(168),
    attributionWindowHours: int(1, 720).default(120),
    holdoutPercent: z
      .number('must be a number')
      .finite('must be a finite number')
      .min(0, 'must be 0 or more')
      .max(MAX_HOLDOUT_PERCENT, `must be at most ${MAX_HOLDOUT_PERCENT}`)
      .default(0),
  },
  'must be a JSON object',
);

type Path = (string | number)[];

/** The cross-field rules, each reported at the field a person would change. */
function crossFieldIssues(c: z.infer<typeof campaignObject>): { path: Path; message: string }[] {
  const issues: { path: Path; message: string }[] = [];
  const add = (path: Path, message: string) => issues.push({ path, message });
  const { eligibility: e, quietHours: q, frequencyCap: cap } = c;
  if (e.minCartValue != null && e.maxCartValue != null && e.minCartValue > e.maxCartValue) add(['eligibility', 'maxCartValue'], `must be at least minCartValue (${e.minCartValue})`);
  if (q.start === q.end) add(['quietHours', 'end'], 'must differ from start (or quiet hours would never end)');
  if (cap.minGapHours > cap.windowHours) add(['frequencyCap', 'minGapHours'], `must be at most windowHours (${cap.windowHours})`);
  const expiryMinutes = c.expiryHours * 60;
  c.steps.forEach((step, i) => {
    const at = (...rest: Path) => ['steps', i, ...rest];
    if (step.delayMinutes >= expiryMinutes) add(at('delayMinutes'), `must be before the campaign expires (${expiryMinutes} minutes)`);
    const previous = c.steps[i - 1];
    if (previous && step.delayMinutes < previous.delayMinutes) add(at('delayMinutes'), `must not be before step ${i}'s delay (${previous.delayMinutes})`);
    const seen = new Set<string>();
    step.channels.forEach((channel, j) => {
      if (seen.has(channel)) add(at('channels', j), `lists ${channel} twice`);
      seen.add(channel);
      if (channel !== 'last_engaged' && !step.templates[channel]) add(at('templates', channel), `is required because the step lists ${channel}`);
    });
    if (seen.has('last_engaged') && !CHANNELS.some((ch) => step.templates[ch])) add(at('templates'), 'needs at least one template for last_engaged to choose among');
    for (const channel of CHANNELS) {
      if (step.templates[channel] && !seen.has(channel) && !seen.has('last_engaged')) add(at('templates', channel), `is not used: the step does not list ${channel}`);
    }
    if (step.waterfall && step.channels.length < 2) add(at('waterfall'), 'needs at least two channels to fall back to');
    if (step.variants) variantIssues(step, seen).forEach((issue) => add(at('variants', ...issue.path), issue.message));
    if (step.sendTimeArms) {
      const arms = new Set<number>();
      step.sendTimeArms.forEach((arm, j) => {
        if (arms.has(arm)) add(at('sendTimeArms', j), `lists ${arm} twice`);
        arms.add(arm);
        if (arm >= expiryMinutes) add(at('sendTimeArms', j), `must be before the campaign expires (${expiryMinutes} minutes)`);
      });
    }
  });
  return issues;
}

/** The variants' own rules: distinct names, weights summing to 100, one still drawn, templates for the step's channels. */
function variantIssues(step: { variants?: StepVariant[] | null }, channels: ReadonlySet<string>): { path: Path; message: string }[] {
  const issues: { path: Path; message: string }[] = [];
  const variants = step.variants ?? [];
  const names = new Set<string>();
  variants.forEach((v, j) => {
    if (names.has(v.name.toLowerCase())) issues.push({ path: [j, 'name'], message: `"${v.name}" is the name of another variant` });
    names.add(v.name.toLowerCase());
    for (const channel of CHANNELS) {
      if (v.templates?.[channel] && !channels.has(channel) && !channels.has('last_engaged')) {
        issues.push({ path: [j, 'templates', channel], message: `is not used: the step does not list ${channel}` });
      }
    }
  });
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  if (total !== 100) issues.push({ path: [], message: `weights must sum to 100 (they sum to ${total})` });
  if (variants.every((v) => v.paused)) issues.push({ path: [], message: 'needs at least one variant that is not paused' });
  return issues;
}

export const campaignInputSchema = campaignObject.superRefine((campaign, ctx) => {
  for (const issue of crossFieldIssues(campaign)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

/** A campaign as written: everything but its id, with the defaults filled in. */
export type CampaignInput = Omit<Campaign, 'id'>;

/** One thing wrong with a campaign: where (`steps.1.delayMinutes`), and what. */
export interface CampaignInputProblem {
  path: string;
  message: string;
}

export type CampaignInputResult = { ok: true; campaign: CampaignInput } | { ok: false; problems: CampaignInputProblem[] };

const joinPath = (segments: ReadonlyArray<PropertyKey>) => segments.map(String).join('.');

/** Problems of a zod error, an unknown field reported at its own path (`steps.0.colour: is not a known field`). */
export function zodProblems(error: z.ZodError, prefix: Path = []): CampaignInputProblem[] {
  return error.issues.flatMap((issue): CampaignInputProblem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: joinPath([...prefix, ...issue.path, key]), message: 'is not a known field' }))
      : [{ path: joinPath([...prefix, ...issue.path]), message: issue.message }],
  );
}

/** Checks a campaign as written; every problem names its field. */
export function parseCampaignInput(input: unknown): CampaignInputResult {
  const parsed = campaignInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error) };
  const c = parsed.data;
  const steps: CampaignStep[] = c.steps.map((s) => ({
    delayMinutes: s.delayMinutes,
    channels: s.channels,
    templates: s.templates,
    ...(s.discountRuleId !== undefined ? { discountRuleId: s.discountRuleId } : {}),
    ...(s.waterfall !== undefined ? { waterfall: s.waterfall } : {}),
    ...(s.sendTimeArms !== undefined ? { sendTimeArms: s.sendTimeArms } : {}),
    ...(s.discountPct !== undefined ? { discountPct: s.discountPct } : {}),
    ...(s.variants !== undefined ? { variants: s.variants?.map(variantOf) ?? null } : {}),
  }));
  return { ok: true, campaign: { ...c, steps } };
}

/** A variant as stored: only the fields it sets. */
function variantOf(v: StepVariant): StepVariant {
  return {
    name: v.name,
    weight: v.weight,
    ...(v.templates != null ? { templates: v.templates } : {}),
    ...(v.discountPct != null ? { discountPct: v.discountPct } : {}),
    ...(v.paused ? { paused: true } : {}),
  };
}

/** What exists in the store, for `referenceProblems`. */
export interface KnownReferences {
  /** Template key → its channel. */
  templates: ReadonlyMap<string, ChannelKind>;
  /** The store's discount rules (a step's or a variant's offer must be one a rule allows). */
  discountRules: readonly DiscountRule[];
}

/**
 * The templates and discount rules a campaign names that do not exist (or are of another channel), and offers no
 * rule allows: a step's or a variant's `discountPct` above 0 needs a percent rule that may apply at that step (the
 * step's pinned rule, or an enabled rule for that step) whose range holds it.
 */
export function referenceProblems(campaign: Pick<CampaignInput, 'steps'>, known: KnownReferences): CampaignInputProblem[] {
  const problems: CampaignInputProblem[] = [];
  const checkTemplates = (templates: Partial<Record<ChannelKind, string>> | null | undefined, at: string) => {
    for (const channel of CHANNELS) {
      const key = templates?.[channel];
      if (!key) continue;
      const actual = known.templates.get(key);
      if (actual === undefined) problems.push({ path: `${at}.templates.${channel}`, message: `no ${channel} template "${key}"` });
      else if (actual !== channel) problems.push({ path: `${at}.templates.${channel}`, message: `"${key}" is a ${actual} template, not ${channel}` });
    }
  };
  const ruleIds = new Set(known.discountRules.map((r) => r.id));
  campaign.steps.forEach((step, i) => {
    checkTemplates(step.templates, `steps.${i}`);
    if (step.discountRuleId && !ruleIds.has(step.discountRuleId)) {
      problems.push({ path: `steps.${i}.discountRuleId`, message: `no discount rule "${step.discountRuleId}"` });
    }
    const offerProblem = (percent: number | null | undefined, path: string) => {
      const message = percent ? offerNotAllowed(percent, i, step.discountRuleId ?? null, known.discountRules) : null;
      if (message) problems.push({ path, message });
    };
    offerProblem(step.discountPct, `steps.${i}.discountPct`);
    step.variants?.forEach((v, j) => {
      checkTemplates(v.templates, `steps.${i}.variants.${j}`);
      offerProblem(v.discountPct, `steps.${i}.variants.${j}.discountPct`);
    });
  });
  return problems;
}

/** Why no rule allows `percent` at step `stepIndex` (0-based), or null when one does. */
function offerNotAllowed(percent: number, stepIndex: number, pinnedRuleId: string | null, rules: readonly DiscountRule[]): string | null {
  const candidates = pinnedRuleId
    ? rules.filter((r) => r.id === pinnedRuleId)
    : rules.filter((r) => r.enabled && (!r.conditions.steps || r.conditions.steps.length === 0 || r.conditions.steps.includes(stepIndex)));
  const percentRules = candidates.filter((r) => r.offer.type === 'percent');
  if (percentRules.some((r) => percent >= percentRange(r.offer).min && percent <= percentRange(r.offer).max)) return null;
  const where = pinnedRuleId ? `the step's rule "${pinnedRuleId}"` : `the rules for step ${stepIndex + 1}`;
  if (percentRules.length === 0) return `${where} offer no percent discount`;
  const ranges = percentRules.map((r) => `${percentRange(r.offer).min}–${percentRange(r.offer).max}%`).join(', ');
  return `${percent}% is outside what ${where} allow (${ranges})`;
}
