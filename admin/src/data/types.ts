/** The shapes of docs/admin-api.md that the console reads and sends beyond plain records. */

import type { DiscountContext } from '../../../campaigns/discount-rules';

export type ChannelKind = 'email' | 'push' | 'sms';
export type ChannelChoice = ChannelKind | 'last_engaged';
export const CHANNELS: ChannelKind[] = ['email', 'push', 'sms'];
export type CheckoutStage = 'cart' | 'started' | 'contact' | 'shipping' | 'payment' | 'completed';
export const STAGES: CheckoutStage[] = ['cart', 'started', 'contact', 'shipping', 'payment', 'completed'];

export interface CampaignStep {
  delayMinutes: number;
  channels: ChannelChoice[];
  templates: Partial<Record<ChannelKind, string>>;
  discountRuleId?: string | null;
  waterfall?: { until: 'delivered' | 'clicked'; afterMinutes: number } | null;
  sendTimeArms?: number[] | null;
  /** The step's fixed offer in percent (within what the discount rules allow); "promote winner" sets it. */
  discountPct?: number | null;
  /** An A/B/n test of the step: 2–5 variants whose weights sum to 100; null or absent: not tested. */
  variants?: StepVariant[] | null;
}

/** One arm of a step's A/B/n test: what it changes of the step, and its share of the enrollments reaching it. */
export interface StepVariant {
  name: string;
  weight: number;
  templates?: Partial<Record<ChannelKind, string>> | null;
  discountPct?: number | null;
  /** Drawn no more; its share goes to the others in proportion. */
  paused?: boolean;
}

export interface CampaignBody {
  name: string;
  priority?: number;
  triggerIdleMinutes?: number;
  eligibility?: { minCartValue?: number | null; maxCartValue?: number | null; stages?: CheckoutStage[] | null; customerType?: 'new' | 'returning' | 'any' };
  steps: CampaignStep[];
  quietHours?: { start: string; end: string };
  frequencyCap?: { maxMessages: number; windowHours: number; minGapHours: number };
  expiryHours?: number;
  attributionWindowHours?: number;
  /** Percent of abandonments held out (planned, never sent), 0–50: the Lift report's control group. */
  holdoutPercent?: number;
}

/** GET/PUT /experiments/holdout: the store-wide holdout and the current experiment period. */
export interface HoldoutSettings {
  globalHoldoutPercent: number;
  period: number;
  periodStartedAt: string;
}

export interface PreviewRequest {
  campaign: CampaignBody;
  abandonedAt: string;
  timezone: string;
  channels: ChannelKind[];
  phone?: string | null;
  lastEngagedChannel?: ChannelKind | null;
  assume: { delivered: boolean; opened: boolean; clicked: boolean };
  checkout?: { cartValue: number; stage: CheckoutStage; isNewCustomer: boolean };
}

export interface PreviewOffer {
  ruleId: string;
  ruleName: string;
  type: 'percent' | 'fixed_amount' | 'free_shipping';
  percent?: number | null;
  allowedPercents: number[];
  discountValue: number;
}

export interface PreviewMessage {
  stepIndex: number;
  channel: ChannelKind;
  dueAt: string;
  at: string;
  localTime: string;
  deferredBy: string[];
  skipped: Array<{ channel: ChannelKind; reason: string }>;
  skippedSteps: number[];
  offer: PreviewOffer | null;
}

export interface PreviewResponse {
  eligible: boolean;
  ineligibleReason: string | null;
  expiresAt: string;
  messages: PreviewMessage[];
  end: { reason: string };
}

/** The engine's own context type: the tester sends exactly what `campaigns/discount-rules.ts` evaluates. */
export type { DiscountContext };

export interface RuleTestRequest {
  context: DiscountContext;
  rules?: unknown[];
  pinnedRuleId?: string | null;
}

export interface RuleTestResponse {
  rule: { id: string; name: string; priority: number; offer: { type: string; amount: number } } | null;
  rules: Array<{ id: string; name: string; priority: number; matched: boolean; mismatch: string | null }>;
  allowedPercents: number[];
  defaultPercent: number;
  discountValue: number;
}

export interface TemplatePreviewRequest {
  template: { channel: ChannelKind; subject?: string | null; html?: string | null; text: string };
  sample?: Record<string, unknown>;
}

export type TemplatePreviewResponse =
  | { channel: 'email'; subject: string; html: string | null; text: string }
  | { channel: 'sms'; body: string; encoding: 'GSM-7' | 'UCS-2'; units: number; segments: number }
  | { channel: 'push'; title: string | null; body: string; truncated: boolean };
