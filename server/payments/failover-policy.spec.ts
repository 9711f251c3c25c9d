import { describe, expect, it } from 'vitest';
import { adyenDeclineCode, afterCharge, afterSettle, HARD_DECLINES, isHardDecline, stripeDeclineCode } from './failover-policy';
import type { ChargeOutcome, DeclineCode } from './payment-provider';

const ALL_CODES: DeclineCode[] = [
  'stolen_card',
  'lost_card',
  'fraudulent',
  'insufficient_funds',
  'expired_card',
  'do_not_honor',
  'incorrect_cvc',
  'card_declined',
  'authentication_required',
  'processing_error',
];

describe('hard declines', () => {
  it.each([
    ['stolen_card', true],
    ['lost_card', true],
    ['fraudulent', true],
    ['insufficient_funds', true],
    ['expired_card', true],
    ['do_not_honor', true],
    ['incorrect_cvc', false],
    ['card_declined', false],
    ['authentication_required', false],
    ['processing_error', false],
  ] as [DeclineCode, boolean][])('%s is hard: %s', (code, hard) => {
    expect(isHardDecline(code)).toBe(hard);
  });

  it('the table above covers every code', () => {
    expect(ALL_CODES).toHaveLength(10);
    expect([...HARD_DECLINES].every((code) => ALL_CODES.includes(code))).toBe(true);
  });
});

describe('stripeDeclineCode', () => {
  it.each([
    // [code, decline_code, ours]
    ['card_declined', 'stolen_card', 'stolen_card'],
    ['card_declined', 'pickup_card', 'stolen_card'],
    ['card_declined', 'lost_card', 'lost_card'],
    ['card_declined', 'fraudulent', 'fraudulent'],
    ['card_declined', 'merchant_blacklist', 'fraudulent'],
    ['card_declined', 'insufficient_funds', 'insufficient_funds'],
    ['card_declined', 'card_velocity_exceeded', 'insufficient_funds'],
    ['expired_card', undefined, 'expired_card'],
    ['expired_card', 'expired_card', 'expired_card'],
    ['card_declined', 'do_not_honor', 'do_not_honor'],
    ['incorrect_cvc', undefined, 'incorrect_cvc'],
    ['card_declined', 'invalid_cvc', 'incorrect_cvc'],
    ['card_declined', 'generic_decline', 'card_declined'],
    ['card_declined', undefined, 'card_declined'],
    ['authentication_required', 'authentication_required', 'authentication_required'],
    ['processing_error', undefined, 'processing_error'],
    ['card_declined', 'try_again_later', 'processing_error'],
    ['card_declined', 'issuer_not_available', 'processing_error'],
    ['card_declined', 'some_new_reason', 'card_declined'],
    [undefined, undefined, 'card_declined'],
  ] as [string | undefined, string | undefined, DeclineCode][])('code %s, decline_code %s → %s', (code, declineCode, ours) => {
    expect(stripeDeclineCode({ code, decline_code: declineCode })).toBe(ours);
  });
});

describe('adyenDeclineCode', () => {
  it.each([
    [{ refusalReason: 'Refused', refusalReasonCode: '2', refusalReasonRaw: '43 : Stolen card' }, 'stolen_card'],
    [{ refusalReason: 'Blocked Card', refusalReasonCode: '5', refusalReasonRaw: '41 : Lost card' }, 'lost_card'],
    [{ refusalReason: 'Blocked Card', refusalReasonCode: '5', refusalReasonRaw: '04 : Pick up card' }, 'stolen_card'],
    [{ refusalReason: 'Blocked Card', refusalReasonCode: '5' }, 'lost_card'],
    [{ refusalReason: 'Refused', refusalReasonCode: '2', refusalReasonRaw: '05 : Do not honor' }, 'do_not_honor'],
    [{ refusalReason: 'Refused', refusalReasonCode: '2', refusalReasonRaw: '51 : Insufficient funds' }, 'insufficient_funds'],
    [{ refusalReason: 'Not enough balance', refusalReasonCode: '12' }, 'insufficient_funds'],
    [{ refusalReason: 'Expired Card', refusalReasonCode: '6' }, 'expired_card'],
    [{ refusalReason: 'FRAUD', refusalReasonCode: '20' }, 'fraudulent'],
    [{ refusalReason: 'Acquirer Fraud', refusalReasonCode: '14' }, 'fraudulent'],
    [{ refusalReason: 'Issuer Suspected Fraud', refusalReasonCode: '31' }, 'fraudulent'],
    [{ refusalReason: 'CVC Declined', refusalReasonCode: '24' }, 'incorrect_cvc'],
    [{ refusalReason: 'Restricted Card', refusalReasonCode: '25' }, 'do_not_honor'],
    [{ refusalReason: 'Refused', refusalReasonCode: '2' }, 'card_declined'],
    [{ refusalReason: 'Acquirer Error', refusalReasonCode: '4' }, 'processing_error'],
    [{ refusalReason: 'Issuer Unavailable', refusalReasonCode: '9' }, 'processing_error'],
    [{ refusalReason: 'Authentication required', refusalReasonCode: '38' }, 'authentication_required'],
    [{ refusalReason: 'Expired Card' }, 'expired_card'],
    [{ refusalReason: 'Something new', refusalReasonCode: '999' }, 'card_declined'],
    [{}, 'card_declined'],
  ] as [Parameters<typeof adyenDeclineCode>[0], DeclineCode][])('%j → %s', (refusal, ours) => {
    expect(adyenDeclineCode(refusal)).toBe(ours);
  });
});

describe('afterCharge', () => {
  it('accepts a success', () => {
    expect(afterCharge({ kind: 'succeeded', providerReference: 'pi_1' })).toEqual({ action: 'accept', providerReference: 'pi_1' });
  });

  it.each(ALL_CODES)('a %s decline stops the payment: no failover', (code) => {
    const outcome: ChargeOutcome = { kind: 'declined', code, providerCode: code, message: 'declined' };
    expect(afterCharge(outcome)).toEqual({ action: 'decline', code, hard: HARD_DECLINES.has(code) });
  });

  it.each([
    ['network', undefined],
    ['timeout', undefined],
    ['server_error', 500],
    ['server_error', 503],
  ] as const)('an unavailable answer (%s %s) is settled before anything else', (fault, status) => {
    expect(afterCharge({ kind: 'unavailable', fault, status, message: 'x' })).toEqual({ action: 'settle' });
  });
});

describe('afterSettle', () => {
  it('a charge found at settlement is the result: no failover', () => {
    expect(afterSettle({ kind: 'charged', providerReference: 'psp_1' })).toEqual({ action: 'accept', providerReference: 'psp_1' });
  });

  it('only a proven "not charged" fails over', () => {
    expect(afterSettle({ kind: 'not_charged' })).toEqual({ action: 'fail_over' });
  });

  it('an unknown settlement holds the payment', () => {
    expect(afterSettle({ kind: 'unknown', message: 'unreachable' })).toEqual({ action: 'hold' });
  });
});
