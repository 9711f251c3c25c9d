/**
 * A/B/n tests of a campaign step. A step may list 2–5 variants, each overriding the step's templates per channel
 * and/or its offer, with weights summing to 100. Each enrollment that reaches the step is given one variant, drawn
 * at a point of [0, 1) fixed by the store's secret, the enrollment and the step (so planning the step again draws
 * the same one), with the probability it had recorded on the message. A paused variant is drawn no more: its share
 * goes to the others in proportion. "Promote winner" makes the winner's changes the step's own and ends the test.
 */
import type { CampaignStep, ChannelKind, StepVariant } from '../types';
import { keyedPosition } from './holdout';

export interface VariantDraw {
  name: string;
  /** The probability this enrollment had of this variant at this step. */
  probability: number;
}

/** The variants that can be drawn, with their shares of the step (paused ones left out, the rest re-weighted). */
export function variantShares(variants: readonly StepVariant[] | null | undefined): VariantDraw[] {
  const live = (variants ?? []).filter((v) => !v.paused && v.weight > 0);
  const total = live.reduce((sum, v) => sum + v.weight, 0);
  return total > 0 ? live.map((v) => ({ name: v.name, probability: v.weight / total })) : [];
}

/** The variant at `position` (in [0, 1)) along the live variants' shares, in the order the step lists them. */
export function drawVariant(variants: readonly StepVariant[] | null | undefined, position: number): VariantDraw | null {
  const shares = variantShares(variants);
  let upTo = 0;
  for (const share of shares) {
    upTo += share.probability;
    if (position < upTo) return share;
  }
  return shares.at(-1) ?? null;
}

/** The point an enrollment's variant is drawn at for a step. */
export function variantPosition(secret: string, enrollmentId: string, stepIndex: number): number {
  return keyedPosition(secret, 'variant', `${enrollmentId}.${stepIndex}`);
}

/** The step as a variant changes it (unknown or absent names leave it as it is). */
export function stepWithVariant(step: CampaignStep, name: string | null | undefined): CampaignStep {
  const variant = name ? step.variants?.find((v) => v.name === name) : undefined;
  if (!variant) return step;
  return {
    ...step,
    templates: { ...step.templates, ...definedTemplates(variant.templates) },
    ...(variant.discountPct != null ? { discountPct: variant.discountPct } : {}),
  };
}

/** The step with the winner's changes as its defaults and no test left running. */
export function promoteVariant(step: CampaignStep, name: string): CampaignStep {
  const { variants: _ended, ...rest } = stepWithVariant(step, name);
  return { ...rest, variants: null };
}

/** The offer a step fixes, within what the rules allow this shopper: the largest allowed percent not above it. */
export function fixedOfferPercent(allowed: readonly number[], wanted: number): number {
  return allowed.filter((p) => p <= wanted).reduce((best, p) => Math.max(best, p), 0);
}

function definedTemplates(templates: StepVariant['templates']): Partial<Record<ChannelKind, string>> {
  return Object.fromEntries(Object.entries(templates ?? {}).filter(([, key]) => !!key));
}
