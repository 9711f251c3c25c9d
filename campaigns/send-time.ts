/**
 * When a message that is due may actually go out: every timing rule at once.
 *
 *  1. the campaign's quiet hours, in the recipient's zone (all channels);
 *  2. for SMS, the legal window (08:00–21:00, or a state's stricter one) and the state's 3-per-24-h limit;
 *  3. the customer's frequency cap across campaigns (at most N per window, never two within the gap).
 *
 * Each rule only ever moves the time later, but moving it for one rule can break another (the cap pushes a
 * message to 22:00, into quiet hours; quiet hours push it to 08:00, next to another planned message). So
 * the rules are applied in turn until none of them moves the time any more: a fixed point. The loop is
 * bounded by the deadline (the enrollment's expiry) and, as a guard, by a number of passes.
 *
 * The same function serves the planner (at planning time) and a worker re-checking at send time (pass the
 * history without the message being sent).
 */
import { nextAllowedByCap, countsTowardCap } from './frequency-cap';
import { isValidTimeZone } from './local-time';
import { nextAllowedTime } from './quiet-hours';
import { nextSmsTime, smsRulesFor } from './sms-rules';
import type { ChannelKind, Deferral, FrequencyCap, QuietHours, Recipient, SentMessage } from './types';

/** Far more passes than any real history needs; only windows that never overlap get near it. */
const MAX_PASSES = 1000;

/**
 * The zone the recipient's clock is in: their own when known and valid, else the one their US phone number
 * implies (Florida, Oklahoma, Maryland area codes), else UTC (a fallback: the caller may know better).
 */
export function recipientTimeZone(recipient: Pick<Recipient, 'timezone' | 'phone'>): string {
  if (isValidTimeZone(recipient.timezone)) return recipient.timezone as string;
  return smsRulesFor(recipient.phone).timezone ?? 'UTC';
}

export interface SendTimeInput {
  /** When the message is due (never earlier than now: the caller clamps). */
  due: Date;
  channel: ChannelKind;
  quietHours: QuietHours;
  frequencyCap: FrequencyCap;
  recipient: Pick<Recipient, 'timezone' | 'phone'>;
  /** The customer's other recovery messages, sent or planned, from every campaign. */
  history: ReadonlyArray<Pick<SentMessage, 'at' | 'channel' | 'failed'>>;
  /** CAMPAIGN_TIME_SCALE: scales the cap, not quiet hours nor the legal SMS rules. */
  timeScale: number;
  /** Nothing may go out at or after this instant (the enrollment's expiry). */
  deadline?: Date;
}

export interface SendTime {
  /** The earliest time all rules allow, or null when there is none before the deadline. */
  at: Date | null;
  /** The rules that moved it, each once, in the order they first applied. */
  deferredBy: Deferral[];
}

export function nextSendTime(input: SendTimeInput): SendTime {
  const { channel, quietHours, frequencyCap, history, timeScale, deadline } = input;
  const zone = recipientTimeZone(input.recipient);
  const smsRules = channel === 'sms' ? smsRulesFor(input.recipient.phone) : null;
  const smsTimes = history.filter((m) => m.channel === 'sms' && countsTowardCap(m)).map((m) => m.at);
  const deferredBy: Deferral[] = [];
  const note = (rules: readonly Deferral[]) => rules.forEach((r) => deferredBy.includes(r) || deferredBy.push(r));

  let at = input.due;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    if (deadline && at >= deadline) return { at: null, deferredBy };
    let next = nextAllowedTime(at, quietHours, zone);
    if (next > at) note(['quiet_hours']);
    if (smsRules) {
      const sms = nextSmsTime(next, smsRules, zone, smsTimes);
      note(sms.deferredBy);
      next = sms.at;
    }
    const capped = nextAllowedByCap(history, next, frequencyCap, timeScale);
    note(capped.deferredBy);
    next = capped.at;
    if (next.getTime() === at.getTime()) return { at, deferredBy };
    at = next;
  }
  return { at: null, deferredBy };
}
