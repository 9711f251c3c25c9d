import type { CampaignBody, CampaignStep } from '../data/types';

type FormStep = Omit<CampaignStep, 'sendTimeArms'> & { sendTimeArms?: number[] | string | null };
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

/** The form's values as the API's campaign body: empty fallbacks become null, send-time options numbers. */
export function toCampaignBody(values: CampaignFormValues): CampaignBody & { version?: number } {
  const steps = (values.steps ?? []).map((step) => {
    const out: CampaignStep = { delayMinutes: step.delayMinutes, channels: step.channels ?? [], templates: {}, discountRuleId: step.discountRuleId || null };
    const channels = step.channels ?? [];
    const wanted = new Set(channels.includes('last_engaged') ? ['email', 'push', 'sms'] : channels);
    for (const [channel, key] of Object.entries(step.templates ?? {})) if (key && wanted.has(channel)) out.templates[channel as 'email'] = key;
    out.waterfall = step.waterfall?.until ? { until: step.waterfall.until, afterMinutes: Number(step.waterfall.afterMinutes) } : null;
    out.sendTimeArms = armsOf(step.sendTimeArms);
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
};
