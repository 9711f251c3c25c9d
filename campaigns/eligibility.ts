/**
 * Which campaign an abandoned checkout enters: the first active campaign, by ascending priority (ties by
 * id), whose eligibility rules it meets. A checkout enters one campaign at most.
 *
 * Eligibility, each rule optional:
 *  - cart value between minCartValue and maxCartValue, both inclusive;
 *  - stages: the checkout's furthest stage is one of them (empty or absent: any stage);
 *  - customerType: 'new' (no order before this checkout), 'returning', or 'any'.
 */
import type { Campaign, CheckoutFacts } from './types';

export type IneligibleReason = 'cart_value_below_min' | 'cart_value_above_max' | 'stage_not_reached' | 'customer_type';

/** Why a checkout is not eligible for a campaign, or null when it is. */
export function ineligibleReason(campaign: Pick<Campaign, 'eligibility'>, checkout: CheckoutFacts): IneligibleReason | null {
  const { minCartValue, maxCartValue, stages, customerType } = campaign.eligibility;
  if (minCartValue != null && checkout.cartValue < minCartValue) return 'cart_value_below_min';
  if (maxCartValue != null && checkout.cartValue > maxCartValue) return 'cart_value_above_max';
  if (stages && stages.length > 0 && !stages.includes(checkout.stage)) return 'stage_not_reached';
  if (customerType === 'new' && !checkout.isNewCustomer) return 'customer_type';
  if (customerType === 'returning' && checkout.isNewCustomer) return 'customer_type';
  return null;
}

/** Does the checkout meet the campaign's eligibility rules? (The campaign's status is not looked at.) */
export function isEligible(campaign: Pick<Campaign, 'eligibility'>, checkout: CheckoutFacts): boolean {
  return ineligibleReason(campaign, checkout) === null;
}

/** Lower priority first, then id: the same answer whatever order the campaigns were loaded in. */
export function byPriority(a: Pick<Campaign, 'priority' | 'id'>, b: Pick<Campaign, 'priority' | 'id'>): number {
  return a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export type CampaignChoice =
  | { campaign: Campaign; reason: null }
  | {
      campaign: null;
      reason: 'no_active_campaign' | 'not_eligible';
      /** Each active campaign, in the order considered, with why it did not take the checkout. */
      rejected: Array<{ campaignId: string; reason: IneligibleReason }>;
    };

/** The campaign the checkout enters, or null with the reason. */
export function chooseCampaignWithReason(campaigns: readonly Campaign[], checkout: CheckoutFacts): CampaignChoice {
  const active = campaigns.filter((c) => c.status === 'active').sort(byPriority);
  if (active.length === 0) return { campaign: null, reason: 'no_active_campaign', rejected: [] };
  const rejected: Array<{ campaignId: string; reason: IneligibleReason }> = [];
  for (const campaign of active) {
    const reason = ineligibleReason(campaign, checkout);
    if (reason === null) return { campaign, reason: null };
    rejected.push({ campaignId: campaign.id, reason });
  }
  return { campaign: null, reason: 'not_eligible', rejected };
}

/** The first active eligible campaign by ascending priority (ties by id), or null. */
export function chooseCampaign(campaigns: readonly Campaign[], checkout: CheckoutFacts): Campaign | null {
  return chooseCampaignWithReason(campaigns, checkout).campaign;
}
