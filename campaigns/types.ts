/**
 * The recovery domain's vocabulary. Everything in `campaigns/` is plain TypeScript: no I/O, no clock reads
 * (the current time is always passed in), so a recovery sequence can be read and tested on its own.
 */

export type ChannelKind = 'email' | 'push' | 'sms';
export const CHANNELS: readonly ChannelKind[] = ['email', 'push', 'sms'];

export type CheckoutStage = 'cart' | 'started' | 'contact' | 'shipping' | 'payment' | 'completed';
export const CHECKOUT_STAGES = ['cart', 'started', 'contact', 'shipping', 'payment', 'completed'] as const satisfies readonly CheckoutStage[];

/** A channel preference: a concrete channel, or "whichever the customer last engaged with". */
export type ChannelChoice = ChannelKind | 'last_engaged';

/** "If the message is not delivered (or not clicked) within N minutes, try the next channel of the step." */
export interface WaterfallRule {
  /** What counts as success for the message just sent. */
  until: 'delivered' | 'clicked';
  afterMinutes: number;
}

export interface CampaignStep {
  /** When this step is due, counted from the moment the checkout was abandoned. */
  delayMinutes: number;
  /** Channels in order of preference; the first one the customer can be reached on is used. */
  channels: ChannelChoice[];
  /** Template key per channel. */
  templates: Partial<Record<ChannelKind, string>>;
  /** Discount rule to offer at this step, if any (rules arrive with the discount engine). */
  discountRuleId?: string | null;
  /** Delivery-driven fallback to the step's next channels. */
  waterfall?: WaterfallRule | null;
  /**
   * Delays (minutes after abandonment) the send-time bandit may choose from instead of `delayMinutes`,
   * per segment of customers; absent or empty means the step always waits `delayMinutes`.
   */
  sendTimeArms?: number[] | null;
  /**
   * The step's own offer, in percent of the cart, within what its discount rule allows (the policy then chooses
   * only the channel); absent or null lets the policy choose among the rule's levels. Set by "promote winner".
   */
  discountPct?: number | null;
  /** An A/B/n test of the step: 2–5 variants whose weights sum to 100; absent or null when the step is not tested. */
  variants?: StepVariant[] | null;
}

/** One arm of a step's A/B/n test: what it changes of the step, and its share of the enrollments that reach the step. */
export interface StepVariant {
  /** Unique within the step; recorded on every message the variant plans. */
  name: string;
  /** Percent of the step's enrollments (the weights of a step sum to 100; paused variants' shares go to the rest). */
  weight: number;
  /** Template keys per channel that replace the step's. */
  templates?: Partial<Record<ChannelKind, string>> | null;
  /** The offer in percent that replaces the step's (0: no offer), within what the discount rules allow. */
  discountPct?: number | null;
  /** A paused variant is drawn no more; enrollments already assigned to it keep it. */
  paused?: boolean;
}

export interface QuietHours {
  /** Local time "HH:MM" when sending stops (inclusive). */
  start: string;
  /** Local time "HH:MM" when sending may resume. */
  end: string;
}

export interface FrequencyCap {
  /** At most this many recovery messages per customer... */
  maxMessages: number;
  /** ...within this many hours, across all campaigns. */
  windowHours: number;
  /** And never two closer than this. */
  minGapHours: number;
}

export interface Eligibility {
  minCartValue?: number | null;
  maxCartValue?: number | null;
  /** Stages the checkout must have reached one of (furthest stage); empty or absent means any. */
  stages?: CheckoutStage[] | null;
  customerType?: 'new' | 'returning' | 'any';
}

export interface Campaign {
  id: string;
  name: string;
  status: 'active' | 'paused';
  /** Lower runs first; a checkout enters the first eligible campaign only. */
  priority: number;
  /** Idle minutes after which an unfinished checkout counts as abandoned. */
  triggerIdleMinutes: number;
  eligibility: Eligibility;
  steps: CampaignStep[];
  quietHours: QuietHours;
  frequencyCap: FrequencyCap;
  /** The enrollment ends this many hours after abandonment, whatever is left. */
  expiryHours: number;
  /** An order this many hours after an open or click on one of the campaign's messages is credited to it. */
  attributionWindowHours: number;
  /**
   * Percent (0–50) of the campaign's abandonments held out as a control group: planned but never sent, so that
   * comparing them with the rest measures what the reminders cause (campaigns/experiments/holdout.ts).
   */
  holdoutPercent: number;
}

/** Consent as stored per channel: the latest statement, if any. */
export interface ConsentState {
  email?: boolean;
  sms?: boolean;
  push?: boolean;
}

export interface Recipient {
  timezone?: string | null;
  email?: string | null;
  /** E.164. */
  phone?: string | null;
  /** Live Web Push subscriptions. */
  pushSubscriptions: number;
  consent: ConsentState;
  /** The source requires an explicit email opt-in (EU stores); otherwise a checkout email may be used unless opted out. */
  requireEmailOptIn: boolean;
  /** The channel of the last recovery message the customer opened or clicked, if any. */
  lastEngagedChannel?: ChannelKind | null;
  /**
   * Channels this deployment cannot send on (their configuration is missing: no SMTP, no Twilio, …). Fallback
   * skips them exactly as it skips a channel the customer cannot be reached on, so nothing is planned on them.
   */
  disabledChannels?: readonly ChannelKind[];
}

/** A recovery message already sent (or handed to a provider) to this customer, from any campaign. */
export interface SentMessage {
  channel: ChannelKind;
  at: Date;
  campaignId: string;
  checkoutId: string;
  stepIndex: number;
  delivered?: boolean;
  opened?: boolean;
  clicked?: boolean;
  failed?: boolean;
}

export interface CheckoutFacts {
  id: string;
  cartValue: number;
  stage: CheckoutStage;
  status: 'active' | 'abandoned' | 'recovered' | 'completed' | 'expired';
  abandonedAt: Date;
  /** The customer had no order before this checkout. */
  isNewCustomer: boolean;
}

/** A message of the enrollment being planned, as the planner sees it. */
export interface EnrollmentMessage {
  stepIndex: number;
  channel: ChannelKind;
  /** When it was sent (or is planned for). */
  at: Date;
  delivered?: boolean;
  /** Read by "after an unanswered email"; when absent, the matching `history` entry is consulted. */
  opened?: boolean;
  clicked?: boolean;
  failed?: boolean;
}

/** Everything the planner needs to choose the next message of one enrollment. */
export interface PlannerInput {
  now: Date;
  campaign: Campaign;
  checkout: CheckoutFacts;
  recipient: Recipient;
  /** This customer's recovery messages in the last weeks, from every campaign. */
  history: SentMessage[];
  /** Messages of this enrollment already planned or sent, in step order. */
  enrollment: EnrollmentMessage[];
  /** Multiplies every campaign delay, cap window and idle trigger (CAMPAIGN_TIME_SCALE); quiet hours stay real. */
  timeScale: number;
  /** What the decision policy chose for a step, applied when that step is the one planned. */
  choice?: StepChoice | null;
}

/**
 * The policy's say in a step: a channel among the step's reachable ones (a channel the step does not list,
 * or that cannot reach the customer, is ignored) and a delay among the step's `sendTimeArms`.
 */
export interface StepChoice {
  stepIndex: number;
  channel?: ChannelKind | null;
  delayMinutes?: number | null;
}

export type NoMessageReason =
  | 'checkout_completed'
  | 'unsubscribed'
  | 'expired'
  | 'sequence_done'
  | 'no_reachable_channel'
  | 'not_eligible'
  | 'waiting_for_outcome'
  /** The engine's, never the planner's: the decision policy chose to send nothing more (ml/step-decision.ts). */
  | 'policy_stop';

export type Deferral = 'quiet_hours' | 'sms_window' | 'frequency_cap' | 'min_gap' | 'state_daily_limit';

/** A channel of the step passed over, and why. */
export interface ChannelSkip {
  channel: ChannelKind;
  reason: 'channel_disabled' | 'no_consent' | 'no_contact' | 'unanswered_email' | 'waterfall' | 'policy';
}

export type PlannerDecision =
  | {
      kind: 'send';
      stepIndex: number;
      channel: ChannelKind;
      sendAt: Date;
      /** Why the send time is later than the step's due time, in the order the rules applied. */
      deferredBy: Deferral[];
      /** Channels of the step skipped on the way, with why. */
      skipped: ChannelSkip[];
      /** Earlier steps passed over because none of their channels could reach the customer (absent when none). */
      skippedSteps?: number[];
    }
  | { kind: 'none'; reason: NoMessageReason; /** When to look again (e.g. a waterfall's deadline). */ recheckAt?: Date };
