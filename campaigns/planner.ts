/**
 * The recovery planner: given one enrollment and the current time, what is its next message, on which
 * channel, and when? Or why is there none?
 *
 * In order:
 *  1. The checkout was completed or recovered → none ('checkout_completed').
 *  2. The enrollment has expired (now ≥ abandonedAt + expiryHours) → none ('expired').
 *  3. Waterfall: when the enrollment's last message belongs to a step with a `waterfall` rule and has not
 *     reached its goal (delivered / clicked):
 *       - not failed and its deadline (at + afterMinutes) not reached → none ('waiting_for_outcome', recheckAt);
 *       - otherwise the SAME step again on its next channel not tried yet (tried ones skipped as 'waterfall');
 *         when no untried channel can reach the customer, the step is over and planning moves on.
 *  4. The next step: the first one after the enrollment's last step. A step none of whose channels can
 *     reach the customer is passed over (listed in `skippedSteps`) so that, say, a push-only reminder does
 *     not end the sequence of a customer without push. No step left → 'sequence_done'; steps left but
 *     none reachable → 'no_reachable_channel'.
 *  5. Channel: the step's first reachable channel (channel-fallback.ts), push and SMS first after an
 *     unanswered email.
 *  6. Time: due = abandonedAt + delayMinutes (never before now), then quiet hours, SMS rules and the
 *     frequency cap to a fixed point (send-time.ts). Later than expiry → none ('expired').
 *  The decision policy may have its say (`input.choice`): for the step planned, a channel among the step's
 *  reachable ones (the others skipped as 'policy') and, where the step lists `sendTimeArms`, one of those
 *  delays. Everything else (quiet hours, caps, consent, expiry) applies to its choice as to any other.
 *
 * Campaign durations (delays, expiry, waterfall deadlines, cap windows) are multiplied by `timeScale`
 * (CAMPAIGN_TIME_SCALE); quiet hours and the legal SMS rules are wall-clock and never scaled.
 */
import { isUnansweredEmail, resolveChannel, type ChannelResolution } from './channel-fallback';
import { nextSendTime } from './send-time';
import type { CampaignStep, EnrollmentMessage, NoMessageReason, PlannerDecision, PlannerInput, SentMessage, WaterfallRule } from './types';

const MINUTE_MS = 60_000;

function none(reason: NoMessageReason, recheckAt?: Date): PlannerDecision {
  return recheckAt ? { kind: 'none', reason, recheckAt } : { kind: 'none', reason };
}

/** `from` plus campaign minutes, scaled. */
function later(from: Date, minutes: number, timeScale: number): Date {
  return new Date(from.getTime() + Math.round(minutes * MINUTE_MS * timeScale));
}

function reachedGoal(message: EnrollmentMessage, until: WaterfallRule['until']): boolean {
  return until === 'clicked' ? !!message.clicked : !!(message.delivered || message.opened || message.clicked);
}

const keyOf = (checkoutId: string, stepIndex: number, channel: string) => `${checkoutId}|${stepIndex}|${channel}`;

/**
 * The enrollment in step order, each message's outcome completed from the matching history entry (the
 * caller may know an open there only), and the customer's history with this enrollment's messages in it
 * exactly once (callers differ on whether they already include them).
 */
function normalize(input: PlannerInput): { enrollment: EnrollmentMessage[]; history: SentMessage[] } {
  const { checkout, campaign } = input;
  const byKey = new Map(input.history.filter((m) => m.checkoutId === checkout.id).map((m) => [keyOf(m.checkoutId, m.stepIndex, m.channel), m]));
  const enrollment = input.enrollment
    .map((m, position) => ({ m, position }))
    .sort((a, b) => a.m.stepIndex - b.m.stepIndex || a.m.at.getTime() - b.m.at.getTime() || a.position - b.position)
    .map(({ m }) => {
      const seen = byKey.get(keyOf(checkout.id, m.stepIndex, m.channel));
      return {
        ...m,
        delivered: !!(m.delivered || seen?.delivered),
        opened: !!(m.opened || seen?.opened),
        clicked: !!(m.clicked || seen?.clicked),
        failed: !!(m.failed || seen?.failed),
      };
    });
  const missing = enrollment
    .filter((m) => !byKey.has(keyOf(checkout.id, m.stepIndex, m.channel)))
    .map((m): SentMessage => ({ ...m, campaignId: campaign.id, checkoutId: checkout.id }));
  return { enrollment, history: [...input.history, ...missing] };
}

/** The step's delay, or the policy's pick among its `sendTimeArms`. */
function delayOf(step: CampaignStep, stepIndex: number, choice: PlannerInput['choice']): number {
  const picked = choice?.stepIndex === stepIndex ? choice.delayMinutes : null;
  return picked != null && step.sendTimeArms?.includes(picked) ? picked : step.delayMinutes;
}

export function planNextMessage(input: PlannerInput): PlannerDecision {
  const { now, campaign, checkout, recipient, timeScale } = input;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);

  if (checkout.status === 'completed' || checkout.status === 'recovered' || checkout.stage === 'completed') return none('checkout_completed');
  const expiresAt = later(checkout.abandonedAt, campaign.expiryHours * 60, timeScale);
  if (checkout.status === 'expired' || now >= expiresAt) return none('expired');

  const { enrollment, history } = normalize(input);
  const last = enrollment.at(-1);

  const schedule = (stepIndex: number, step: CampaignStep, resolution: ChannelResolution, skippedSteps: number[]): PlannerDecision => {
    const stepDue = later(checkout.abandonedAt, delayOf(step, stepIndex, input.choice), timeScale);
    const due = stepDue > now ? stepDue : now;
    const channel = resolution.channel as NonNullable<ChannelResolution['channel']>;
    // Re-planning a message already planned must not find itself in the way (same checkout, step, channel).
    const self = keyOf(checkout.id, stepIndex, channel);
    const { at, deferredBy } = nextSendTime({
      due,
      channel,
      quietHours: campaign.quietHours,
      frequencyCap: campaign.frequencyCap,
      recipient,
      history: history.filter((m) => keyOf(m.checkoutId, m.stepIndex, m.channel) !== self),
      timeScale,
      deadline: expiresAt,
    });
    if (!at) return none('expired');
    return {
      kind: 'send',
      stepIndex,
      channel,
      sendAt: at,
      deferredBy,
      skipped: resolution.skipped,
      ...(skippedSteps.length > 0 ? { skippedSteps } : {}),
    };
  };

  // 3. A waterfall step still in play: wait for its outcome, or fall back to its next channel.
  const lastStep = last && campaign.steps[last.stepIndex];
  if (last && lastStep?.waterfall && !reachedGoal(last, lastStep.waterfall.until)) {
    const deadline = later(last.at, lastStep.waterfall.afterMinutes, timeScale);
    if (!last.failed && now < deadline) return none('waiting_for_outcome', deadline);
    const tried = enrollment.filter((m) => m.stepIndex === last.stepIndex).map((m) => m.channel);
    const resolution = resolveChannel(lastStep, recipient, { tried });
    if (resolution.channel) return schedule(last.stepIndex, lastStep, resolution, []);
  }

  // 4–6. The next step that can reach the customer.
  const afterUnansweredEmail = isUnansweredEmail(last, now);
  const skippedSteps: number[] = [];
  for (let stepIndex = last ? last.stepIndex + 1 : 0; stepIndex < campaign.steps.length; stepIndex++) {
    const step = campaign.steps[stepIndex];
    const chosen = input.choice?.stepIndex === stepIndex ? input.choice.channel : null;
    const resolution = resolveChannel(step, recipient, { afterUnansweredEmail, chosen });
    if (resolution.channel) return schedule(stepIndex, step, resolution, skippedSteps);
    skippedSteps.push(stepIndex);
  }
  return none(skippedSteps.length > 0 ? 'no_reachable_channel' : 'sequence_done');
}
