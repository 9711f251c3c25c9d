/**
 * The seed's fixed schedule, the baseline every policy is compared with: push (else email) at 1 h, email
 * at 24 h, a 10% offer at 48 h by SMS (else email). Nothing after the third message.
 */
import { STOP } from '../candidates';
import type { Action, DecisionContext } from '../features';

export const FIXED_OFFER_PCT = 10;

export function fixedScheduleAction(ctx: DecisionContext): Action {
  switch (ctx.stepIndex) {
    case 0:
      return { channel: ctx.reachable.push ? 'push' : 'email', discountPct: 0 };
    case 1:
      return { channel: 'email', discountPct: 0 };
    case 2:
      return { channel: ctx.reachable.sms ? 'sms' : 'email', discountPct: FIXED_OFFER_PCT };
    default:
      return STOP;
  }
}
