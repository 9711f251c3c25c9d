import twilio from 'twilio';

/**
 * The program name shoppers see in HELP and opt-out replies. There is no brand setting yet (a merchant-level
 * name would belong in settings); until there is, every store's replies say "Checkout reminders".
 */
export const SMS_BRAND = 'Checkout reminders';

/** Matches the default campaign frequency cap (3 messages per 168 hours); HELP must state a frequency. */
export const SMS_FREQUENCY = 'up to 3 msgs/week';

export type SmsKeyword = 'stop' | 'help' | 'start';

/** CTIA opt-out, help and opt-in keywords; the whole message must be the keyword. */
const KEYWORDS: Record<string, SmsKeyword> = {
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  CANCEL: 'stop',
  END: 'stop',
  QUIT: 'stop',
  OPTOUT: 'stop',
  REVOKE: 'stop',
  HELP: 'help',
  INFO: 'help',
  START: 'start',
  UNSTOP: 'start',
  YES: 'start',
};

/** Twilio's Advanced Opt-Out tells us which of its keyword lists (custom keywords included) the message matched. */
const OPT_OUT_TYPES: Record<string, SmsKeyword> = { STOP: 'stop', HELP: 'help', START: 'start' };

/**
 * The keyword an inbound SMS is, or undefined for any other text. Case and surrounding spaces do not matter,
 * nor punctuation around the word ("Stop.", "STOP!"); a keyword inside a sentence is not a keyword.
 */
export function smsKeyword(body: string | null | undefined, optOutType?: string | null): SmsKeyword | undefined {
  const word = (body ?? '')
    .normalize('NFKC')
    .trim()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .toUpperCase();
  return KEYWORDS[word] ?? (optOutType ? OPT_OUT_TYPES[optOutType.trim().toUpperCase()] : undefined);
}

export const SMS_REPLIES: Record<SmsKeyword, string> = {
  stop: `${SMS_BRAND}: You have been unsubscribed. No more messages will be sent. Reply START to resubscribe.`,
  help: `${SMS_BRAND}: reminders about checkouts you left unfinished, ${SMS_FREQUENCY}. Msg & data rates may apply. Reply STOP to opt out, START to resubscribe.`,
  start: `${SMS_BRAND}: You have been resubscribed, ${SMS_FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out.`,
};

/** TwiML answering an inbound SMS with one message, or with nothing. */
export function twiml(message?: string): string {
  const response = new twilio.twiml.MessagingResponse();
  if (message !== undefined) response.message(message);
  return response.toString();
}
