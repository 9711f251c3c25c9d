/**
 * When an SMS may be sent, by law, whatever the campaign says.
 *
 * Everywhere: 08:00–21:00 recipient local time (the US federal TCPA rule, 47 CFR § 64.1200(c)(1), applied to
 * every recipient as the product's floor). This is stricter than a campaign's quiet hours when those are looser.
 *
 * Some US states are stricter for marketing texts, and a US number's area code tells us the state:
 *  - Florida, Telephone Solicitation Act (Fla. Stat. § 501.059, amended 2021 by SB 1120 and 2023 by HB 761):
 *    08:00–20:00 local time, at most 3 messages per 24 hours on the same subject.
 *  - Oklahoma, Telephone Solicitation Act of 2022 (15 O.S. § 775C): 08:00–21:00, at most 3 per 24 hours.
 *  - Maryland, Stop the Spam Calls Act of 2023 (Md. Code, Com. Law § 14-4501 ff.): 08:00–20:00, at most 3 per 24 hours.
 * The 24 hours are real hours (the law's), so CAMPAIGN_TIME_SCALE does not shrink them.
 *
 * For a US number whose owner's time zone is unknown, the area code also gives a zone for these states
 * (Florida: America/New_York, except 850 → America/Chicago; Oklahoma: America/Chicago; Maryland: America/New_York).
 */
import { earliestUnderLimit } from './frequency-cap';
import { nextInstantInWindow, type ClockWindow } from './local-time';

export type UsState = 'FL' | 'OK' | 'MD';

export interface SmsRules {
  /** Local hours in which an SMS may be sent, [start, end). */
  window: ClockWindow;
  /** At most this many SMS to the number in any 24 hours, when a state says so. */
  maxPer24h?: number;
  /** The recipient's likely zone, when the number tells (only used when the recipient has none). */
  timezone?: string;
  /** The state whose rules apply, if any. */
  state?: UsState;
}

export type SmsDeferral = 'sms_window' | 'state_daily_limit';

/** The floor for every SMS, everywhere. */
export const SMS_WINDOW: ClockWindow = { start: '08:00', end: '21:00' };

const DAY_MS = 24 * 3_600_000;

interface StateRule {
  window: ClockWindow;
  maxPer24h: number;
  areaCodes: Record<string, string>;
}

function zones(codes: string[], zone: string, exceptions: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(codes.map((code) => [code, exceptions[code] ?? zone]));
}

const STATES: Record<UsState, StateRule> = {
  FL: {
    window: { start: '08:00', end: '20:00' },
    maxPer24h: 3,
    areaCodes: zones(
      ['239', '305', '321', '324', '352', '386', '407', '448', '561', '645', '656', '689', '727', '728', '754', '772', '786', '813', '850', '863', '904', '941', '954'],
      'America/New_York',
      { '850': 'America/Chicago' },
    ),
  },
  OK: { window: { start: '08:00', end: '21:00' }, maxPer24h: 3, areaCodes: zones(['405', '539', '572', '580', '918'], 'America/Chicago') },
  MD: { window: { start: '08:00', end: '20:00' }, maxPer24h: 3, areaCodes: zones(['240', '301', '410', '443', '667'], 'America/New_York') },
};

/** The area code of a US/NANP number in E.164 (`+1AAANXXXXXX`, separators tolerated), else null. */
export function usAreaCode(phone: string | null | undefined): string | null {
  const compact = (phone ?? '').replace(/[\s().-]/g, '');
  const match = /^\+1(\d{3})\d{7}$/.exec(compact);
  return match ? match[1] : null;
}

/** The SMS rules for a phone number: the 08:00–21:00 floor, or a stricter state's rules. */
export function smsRulesFor(phone: string | null | undefined): SmsRules {
  const areaCode = usAreaCode(phone);
  if (areaCode) {
    for (const [state, rule] of Object.entries(STATES) as Array<[UsState, StateRule]>) {
      const timezone = rule.areaCodes[areaCode];
      if (timezone) return { window: rule.window, maxPer24h: rule.maxPer24h, timezone, state };
    }
  }
  return { window: SMS_WINDOW };
}

/**
 * The earliest time ≥ t an SMS may go out under `rules`, given the times of the SMS already sent or planned
 * to this recipient (failed ones left out by the caller), and which rules deferred it.
 */
export function nextSmsTime(
  t: Date,
  rules: SmsRules,
  timeZone: string | null | undefined,
  smsTimes: readonly Date[],
): { at: Date; deferredBy: SmsDeferral[] } {
  const deferredBy: SmsDeferral[] = [];
  let at = t;
  for (;;) {
    const inWindow = nextInstantInWindow(at, rules.window, timeZone);
    if (inWindow > at && !deferredBy.includes('sms_window')) deferredBy.push('sms_window');
    const underLimit = rules.maxPer24h ? earliestUnderLimit(smsTimes, inWindow, rules.maxPer24h, DAY_MS) : inWindow;
    if (underLimit > inWindow && !deferredBy.includes('state_daily_limit')) deferredBy.push('state_daily_limit');
    if (underLimit.getTime() === at.getTime()) return { at, deferredBy };
    at = underLimit;
  }
}
