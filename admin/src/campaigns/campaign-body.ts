import type { CampaignBody, CampaignStep, ChannelKind, StepVariant } from '../data/types';

/** A variant as the form holds it: inputs left empty are null or "". */
export type FormVariant = { name?: string | null; weight?: number | null; templates?: Partial<Record<ChannelKind, string | null>> | null; discountPct?: number | null; paused?: boolean | null };
type FormStep = Omit<CampaignStep, 'sendTimeArms' | 'variants'> & { sendTimeArms?: number[] | string | null; variants?: FormVariant[] | null };
export type CampaignFormValues = Omit<CampaignBody, 'steps'> & { steps?: FormStep[]; version?: number; [key: string]: unknown };

function armsOf(value: FormStep['sendTimeArms']): number[] | null {
  if (Array.isArray(value)) return value.length ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  // Anything that is not a number is sent as is, so the API names the problem under the input.
  return value
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((part) => (Number.isFinite(Number(part)) ? Number(part) : (part as unknown as number)));
}

/** An empty number input is "" or null: the API's "no value" is null. */
const numberOrNull = (value: unknown): number | null => (value === '' || value === null || value === undefined ? null : (value as number));

/** Only the templates of channels the step uses, and only those chosen (the others stay the step's own). */
function templatesFor(templates: Partial<Record<string, string | null>> | null | undefined, wanted: ReadonlySet<string>): Partial<Record<ChannelKind, string>> {
  const out: Partial<Record<ChannelKind, string>> = {};
  for (const [channel, key] of Object.entries(templates ?? {})) if (key && wanted.has(channel)) out[channel as ChannelKind] = key;
  return out;
}

/** The step's variants as the API reads them; an empty list is "not tested" (null). Names are sent as typed. */
function variantsOf(variants: FormVariant[] | null | undefined, wanted: ReadonlySet<string>): StepVariant[] | null {
  if (!variants?.length) return null;
  return variants.map((v) => {
    const templates = templatesFor(v.templates, wanted);
    // A weight left empty goes as null, so the API names it ("must be a number") under its input.
    return { name: v.name ?? '', weight: numberOrNull(v.weight) as number, templates: Object.keys(templates).length ? templates : null, discountPct: numberOrNull(v.discountPct), paused: !!v.paused };
  });
}

/** The form's values as the API's campaign body: empty fallbacks become null, send-time options numbers. */
export function toCampaignBody(values: CampaignFormValues): CampaignBody & { version?: number } {
  const steps = (values.steps ?? []).map((step) => {
    const out: CampaignStep = { delayMinutes: step.delayMinutes, channels: step.channels ?? [], templates: {}, discountRuleId: step.discountRuleId || null };
    const channels = step.channels ?? [];
    const wanted = new Set<string>(channels.includes('last_engaged') ? ['email', 'push', 'sms'] : channels);
    out.templates = templatesFor(step.templates, wanted);
    out.waterfall = step.waterfall?.until ? { until: step.waterfall.until, afterMinutes: Number(step.waterfall.afterMinutes) } : null;
    out.sendTimeArms = armsOf(step.sendTimeArms);
    out.discountPct = numberOrNull(step.discountPct);
    out.variants = variantsOf(step.variants, wanted);
    return out;
  });
  const eligibility = values.eligibility ?? {};
  return {
    name: values.name,
    priority: values.priority,
    triggerIdleMinutes: values.triggerIdleMinutes,
    eligibility: {
      minCartValue: eligibility.minCartValue ?? null,
      maxCartValue: eligibility.maxCartValue ?? null,
      stages: eligibility.stages ?? [],
      customerType: eligibility.customerType ?? 'any',
    },
    steps,
    quietHours: values.quietHours,
    frequencyCap: values.frequencyCap,
    expiryHours: values.expiryHours,
    attributionWindowHours: values.attributionWindowHours,
    holdoutPercent: numberOrNull(values.holdoutPercent) ?? 0,
    ...(values.version !== undefined ? { version: values.version } : {}),
  };
}

export const NEW_CAMPAIGN: CampaignFormValues = {
  name: '',
  priority: 100,
  triggerIdleMinutes: 30,
  eligibility: { customerType: 'any', stages: [] },
  steps: [{ delayMinutes: 60, channels: ['email'], templates: {}, discountRuleId: null, waterfall: null }],
  quietHours: { start: '21:00', end: '08:00' },
  frequencyCap: { maxMessages: 3, windowHours: 168, minGapHours: 12 },
  expiryHours: 168,
  attributionWindowHours: 120,
  holdoutPercent: 0,
};
