/**
 * What the model sees about a decision: only facts observable when the decision is made (the cart, the
 * customer, what this sequence already sent) plus the candidate action. Never an outcome, never the hidden
 * segment a simulated customer was drawn from.
 *
 * The action is encoded together with the sequence it completes: the model answers "how likely is this
 * checkout to be recovered if the sequence ends with this action" (see model.ts), so the features describe
 * every message the customer will have received — by position and channel — and the largest discount offered.
 */
import { CHANNELS, type ChannelKind, type CheckoutStage } from '../campaigns/types';

export type Device = 'mobile' | 'desktop' | 'tablet' | 'unknown';
export const DEVICES: readonly Device[] = ['mobile', 'desktop', 'tablet', 'unknown'];

export interface ChannelEngagement {
  sent: number;
  opened: number;
  clicked: number;
}

export interface SequenceMessage {
  channel: ChannelKind;
  discountPct: number;
}

export interface DecisionContext {
  cartValue: number;
  cartItems: number;
  /** The furthest checkout stage reached. */
  stage: CheckoutStage;
  device: Device;
  /** 0–23 in the customer's zone. */
  localHour: number;
  /** 0 (Sunday) – 6 (Saturday) in the customer's zone. */
  weekday: number;
  isReturning: boolean;
  ordersCount: number;
  lifetimeValue: number;
  /** Contact and consent both present. */
  reachable: Record<ChannelKind, boolean>;
  /** This customer's past recovery messages, all campaigns. */
  engagement: Record<ChannelKind, ChannelEngagement>;
  /**
   * The channel of the last recovery message the customer opened or clicked (the planner's "last engaged"), for
   * re-deciding offline with the campaign's own channels; not a model feature. Absent in older logged contexts.
   */
  lastEngagedChannel?: ChannelKind | null;
  /** Index of the decision being made in this sequence (0 for the first message). */
  stepIndex: number;
  /**
   * Hours since the checkout was abandoned, in campaign time (the campaign's delays are counted the same way).
   * Decisions logged before it existed lack it and are encoded as at abandonment.
   */
  hoursSinceAbandon: number;
  /** This sequence so far, in order. */
  messagesSent: SequenceMessage[];
}

/** 'none' stops the sequence: nothing more is sent. */
export interface Action {
  channel: ChannelKind | 'none';
  discountPct: number;
}

/** v2 added `hours_since_abandon`; a model of another schema is refused (the rules decide until the next training). */
export const FEATURE_SCHEMA_VERSION = 2;

/** Message positions told apart; later ones share the last slot. */
export const SEQUENCE_POSITIONS = 4;
const STAGES: readonly CheckoutStage[] = ['cart', 'started', 'contact', 'shipping', 'payment'];
const ACTION_CHANNELS: readonly Action['channel'][] = ['none', ...CHANNELS];

export const FEATURE_NAMES: readonly string[] = [
  'log_cart_value',
  'cart_items',
  ...STAGES.map((s) => `stage_${s}`),
  ...DEVICES.map((d) => `device_${d}`),
  'hour_sin',
  'hour_cos',
  'weekend',
  'returning',
  'log_orders',
  'log_lifetime_value',
  ...CHANNELS.map((c) => `reachable_${c}`),
  ...CHANNELS.flatMap((c) => [`${c}_log_sent`, `${c}_open_rate`, `${c}_click_rate`]),
  'step_index',
  'log_hours_since_abandon',
  ...Array.from({ length: SEQUENCE_POSITIONS }, (_, p) => CHANNELS.map((c) => `message_${p}_${c}`)).flat(),
  'messages_total',
  ...ACTION_CHANNELS.map((c) => `action_${c}`),
  'action_discount',
  'discount_before',
  'discount_after',
  'discount_after_sq',
];

/** The sequence as it stands once `action` is taken. */
export function sequenceAfter(ctx: Pick<DecisionContext, 'messagesSent'>, action: Action): SequenceMessage[] {
  return action.channel === 'none' ? ctx.messagesSent : [...ctx.messagesSent, { channel: action.channel, discountPct: action.discountPct }];
}

export function maxDiscount(messages: readonly SequenceMessage[]): number {
  return messages.reduce((max, m) => Math.max(max, m.discountPct), 0);
}

export function encodeFeatures(ctx: DecisionContext, action: Action): number[] {
  const after = sequenceAfter(ctx, action);
  const positions = new Array<number>(SEQUENCE_POSITIONS * CHANNELS.length).fill(0);
  after.forEach((m, i) => {
    positions[Math.min(i, SEQUENCE_POSITIONS - 1) * CHANNELS.length + CHANNELS.indexOf(m.channel)] += 1;
  });
  const angle = (2 * Math.PI * ctx.localHour) / 24;
  const before = maxDiscount(ctx.messagesSent) / 20;
  const afterPct = maxDiscount(after) / 20;
  return [
    Math.log1p(Math.max(0, ctx.cartValue)),
    Math.min(ctx.cartItems, 20) / 5,
    ...STAGES.map((s) => (ctx.stage === s ? 1 : 0)),
    ...DEVICES.map((d) => (ctx.device === d ? 1 : 0)),
    Math.sin(angle),
    Math.cos(angle),
    ctx.weekday === 0 || ctx.weekday === 6 ? 1 : 0,
    ctx.isReturning ? 1 : 0,
    Math.log1p(Math.max(0, ctx.ordersCount)),
    Math.log1p(Math.max(0, ctx.lifetimeValue)),
    ...CHANNELS.map((c) => (ctx.reachable[c] ? 1 : 0)),
    ...CHANNELS.flatMap((c) => {
      const e = ctx.engagement[c];
      return [Math.log1p(e.sent), e.opened / (e.sent + 1), e.clicked / (e.sent + 1)];
    }),
    ctx.stepIndex,
    Math.log1p(Math.max(0, ctx.hoursSinceAbandon ?? 0)),
    ...positions,
    after.length,
    ...ACTION_CHANNELS.map((c) => (action.channel === c ? 1 : 0)),
    action.discountPct / 20,
    before,
    afterPct,
    afterPct * afterPct,
  ];
}

export function describeAction(action: Action): string {
  if (action.channel === 'none') return 'send nothing more';
  return action.discountPct > 0 ? `${action.channel} with ${action.discountPct}% off` : `${action.channel}, no discount`;
}

export function sameAction(a: Action, b: Action): boolean {
  return a.channel === b.channel && (a.channel === 'none' || a.discountPct === b.discountPct);
}
