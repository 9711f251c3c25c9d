import { describe, expect, it } from 'vitest';
import { parseCampaignInput, referenceProblems } from './campaign-schema';
import { DEFAULT_CAMPAIGN } from './default-campaign';
import { DEFAULT_DISCOUNT_RULES } from './discount-rules';

const valid = () => JSON.parse(JSON.stringify(DEFAULT_CAMPAIGN)) as Record<string, any>;
/** The seed with a push-only first step, to change one thing at a time. */
const pushFirst = () => {
  const input = valid();
  input.steps[0] = { delayMinutes: 60, channels: ['push'], templates: { push: 'reminder-push' } };
  return input;
};

function problems(input: unknown) {
  const result = parseCampaignInput(input);
  return result.ok ? [] : result.problems;
}

describe('campaign input', () => {
  it('accepts the default campaign and fills in defaults', () => {
    expect(parseCampaignInput(valid())).toEqual({ ok: true, campaign: DEFAULT_CAMPAIGN });
    const minimal = parseCampaignInput({ name: ' Short ', steps: [{ delayMinutes: 60, channels: ['email'], templates: { email: 'reminder-email' } }] });
    expect(minimal).toMatchObject({
      ok: true,
      campaign: { name: 'Short', status: 'paused', priority: 100, triggerIdleMinutes: 30, quietHours: { start: '21:00', end: '08:00' }, frequencyCap: { maxMessages: 3, windowHours: 168, minGapHours: 12 }, expiryHours: 168 },
    });
  });

  it('names the field of each problem, unknown fields at their own path', () => {
    const input = valid();
    input.steps[1].delayMinutes = -5;
    input.steps[0].colour = 'red';
    input.name = '';
    expect(problems(input)).toEqual(
      expect.arrayContaining([
        { path: 'steps.1.delayMinutes', message: 'must be 0 or more' },
        { path: 'steps.0.colour', message: 'is not a known field' },
        { path: 'name', message: 'must not be empty' },
      ]),
    );
  });

  it('wants 1 to 10 steps', () => {
    expect(problems({ ...valid(), steps: [] })).toEqual([{ path: 'steps', message: 'must have at least one step' }]);
    const step = { delayMinutes: 60, channels: ['email'], templates: { email: 'e' } };
    expect(problems({ ...valid(), steps: Array.from({ length: 11 }, () => step) })).toEqual([{ path: 'steps', message: 'must have at most 10 steps' }]);
  });

  it('wants a template for every listed channel, and no template for a channel not listed', () => {
    const input = pushFirst();
    input.steps[0].channels = ['push', 'sms'];
    expect(problems(input)).toEqual([{ path: 'steps.0.templates.sms', message: 'is required because the step lists sms' }]);
    input.steps[0].channels = ['sms'];
    input.steps[0].templates = { sms: 's', push: 'reminder-push' };
    expect(problems(input)).toEqual([{ path: 'steps.0.templates.push', message: 'is not used: the step does not list push' }]);
    input.steps[0] = { delayMinutes: 60, channels: ['last_engaged'], templates: {} };
    expect(problems(input)).toEqual([{ path: 'steps.0.templates', message: 'needs at least one template for last_engaged to choose among' }]);
  });

  it('refuses unknown and repeated channels', () => {
    const input = pushFirst();
    input.steps[0].channels = ['push', 'fax'];
    expect(problems(input)).toEqual([{ path: 'steps.0.channels.1', message: 'must be one of email, push, sms, last_engaged' }]);
    input.steps[0].channels = ['push', 'push'];
    expect(problems(input)).toEqual([{ path: 'steps.0.channels.1', message: 'lists push twice' }]);
  });

  it('keeps steps in order and inside the expiry', () => {
    const input = valid();
    input.steps[2].delayMinutes = 30;
    expect(problems(input)).toEqual([{ path: 'steps.2.delayMinutes', message: "must not be before step 2's delay (1440)" }]);
    input.steps[2].delayMinutes = 168 * 60;
    expect(problems(input)).toEqual([{ path: 'steps.2.delayMinutes', message: 'must be before the campaign expires (10080 minutes)' }]);
  });

  it('checks waterfalls, send-time arms and the discount rule id', () => {
    const input = pushFirst();
    input.steps[0].waterfall = { until: 'clicked', afterMinutes: 60 };
    expect(problems(input)).toEqual([{ path: 'steps.0.waterfall', message: 'needs at least two channels to fall back to' }]);
    input.steps[0].waterfall = { until: 'opened', afterMinutes: 0 };
    expect(problems(input)).toEqual(
      expect.arrayContaining([
        { path: 'steps.0.waterfall.until', message: 'must be "delivered" or "clicked"' },
        { path: 'steps.0.waterfall.afterMinutes', message: 'must be 1 or more' },
      ]),
    );
    input.steps[0].waterfall = null;
    input.steps[0].sendTimeArms = [15, 60, 15, 20000];
    expect(problems(input)).toEqual([
      { path: 'steps.0.sendTimeArms.2', message: 'lists 15 twice' },
      { path: 'steps.0.sendTimeArms.3', message: 'must be before the campaign expires (10080 minutes)' },
    ]);
    input.steps[0].sendTimeArms = null;
    input.steps[2].discountRuleId = '';
    expect(problems(input)).toEqual([{ path: 'steps.2.discountRuleId', message: 'must not be empty' }]);
  });

  it('checks quiet hours, the frequency cap and eligibility', () => {
    const input = valid();
    input.quietHours = { start: '25:00', end: '8:00' };
    expect(problems(input)).toEqual([
      { path: 'quietHours.start', message: 'must be a time "HH:MM" (00:00–23:59)' },
      { path: 'quietHours.end', message: 'must be a time "HH:MM" (00:00–23:59)' },
    ]);
    input.quietHours = { start: '21:00', end: '21:00' };
    expect(problems(input)).toEqual([{ path: 'quietHours.end', message: 'must differ from start (or quiet hours would never end)' }]);
    input.quietHours = { start: '21:00', end: '08:00' };
    input.frequencyCap = { maxMessages: 0, windowHours: 24, minGapHours: 12 };
    expect(problems(input)).toEqual([{ path: 'frequencyCap.maxMessages', message: 'must be 1 or more' }]);
    input.frequencyCap = { maxMessages: 3, windowHours: 24, minGapHours: 48 };
    expect(problems(input)).toEqual([{ path: 'frequencyCap.minGapHours', message: 'must be at most windowHours (24)' }]);
    input.frequencyCap = { maxMessages: 3, windowHours: 168, minGapHours: 12 };
    input.eligibility = { minCartValue: 100, maxCartValue: 50, stages: ['checkout'], customerType: 'vip' };
    expect(problems(input)).toEqual(
      expect.arrayContaining([
        { path: 'eligibility.stages.0', message: 'must be one of cart, started, contact, shipping, payment, completed' },
        { path: 'eligibility.customerType', message: 'must be "new", "returning" or "any"' },
      ]),
    );
    input.eligibility = { minCartValue: 100, maxCartValue: 50 };
    expect(problems(input)).toEqual([{ path: 'eligibility.maxCartValue', message: 'must be at least minCartValue (100)' }]);
  });

  it('refuses what is not a campaign at all', () => {
    expect(problems(null)).toEqual([{ path: '', message: 'must be a JSON object' }]);
    expect(problems({ name: 'x', steps: 'soon' })).toEqual([{ path: 'steps', message: 'must be a list of steps' }]);
  });

  it('names templates and rules that do not exist, or are of another channel', () => {
    const campaign = { ...DEFAULT_CAMPAIGN, steps: DEFAULT_CAMPAIGN.steps.map((s, i) => (i === 2 ? { ...s, discountRuleId: 'gone' } : s)) };
    const known = {
      templates: new Map([
        ['reminder-push', 'push'],
        ['reminder-email', 'sms'],
        ['reminder-sms', 'sms'],
        ['offer-push', 'push'],
        ['offer-email', 'email'],
      ] as const),
      discountRules: DEFAULT_DISCOUNT_RULES,
    };
    expect(referenceProblems(campaign, known)).toEqual([
      { path: 'steps.0.templates.email', message: '"reminder-email" is a sms template, not email' },
      { path: 'steps.1.templates.email', message: '"reminder-email" is a sms template, not email' },
      { path: 'steps.2.templates.sms', message: 'no sms template "offer-sms"' },
      { path: 'steps.2.discountRuleId', message: 'no discount rule "gone"' },
    ]);
  });
});
