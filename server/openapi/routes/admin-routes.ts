import { z } from 'zod';
import { campaignInputSchema } from '../../../campaigns/campaign-schema';
import { discountRuleInputSchema } from '../../../campaigns/discount-rule-schema';
import { loginSchema } from '../../admin/auth/auth.controller';
import { AUDIT_LIST } from '../../admin/resources/audit-log/audit-log.schema';
import { CAMPAIGN_LIST, previewShopperSchema, promoteSchema } from '../../admin/resources/campaigns/campaigns.schema';
import { CHECKOUT_LIST } from '../../admin/resources/checkouts/checkouts.schema';
import { CUSTOMER_LIST, optOutSchema } from '../../admin/resources/customers/customers.schema';
import { MESSAGE_LIST } from '../../admin/resources/messages/messages.schema';
import { RULE_LIST, ruleTestSchema } from '../../admin/resources/discount-rules/discount-rules.schema';
import { SOURCE_LIST, sourceCreateSchema, sourceUpdateSchema } from '../../admin/resources/sources/sources.schema';
import { TEMPLATE_LIST, templateCreateSchema, templatePreviewSchema, templateUpdateSchema } from '../../admin/resources/templates/templates.schema';
import { USER_LIST, userCreateSchema, userUpdateSchema } from '../../admin/resources/users/users.schema';
import { globalHoldoutSchema } from '../../experiments/experiment-settings';
import { WINDOWS } from '../../reports/delay-buckets';
import { BREAKDOWNS, DROPOFF_PARAMS, RECOVERY_GROUPINGS, TIMED_STEPS } from '../../reports/report-params';
import { type ApiRoute, route } from '../api-route';
import { day, listQuerySchema, oneOf } from '../common-schemas';

/** `PUT` bodies carry the `version` they were read at (optimistic concurrency, see `takeVersion`); 409 when stale. */
const version = z.number().int().min(1).meta({ description: 'The version the record was read at; 409 version_conflict when someone changed it since.' });

const id = (what: string) => ({ id: `The ${what} id.` });
const list = (description: string) => ({ 200: { description: `${description} A JSON array; \`Content-Range: <resource> <first>-<last>/<total>\`.` } });
const one = (description: string) => ({ 200: { description } });
const created = (description: string) => ({ 201: { description } });

export const EXAMPLE_ADMIN = { email: 'marketing@example.com', password: 'correct horse battery staple' };
export const EXAMPLE_VARIANT = 'Friendly';

const STEPS = [
  { delayMinutes: 45, channels: ['push', 'email'], templates: { push: 'reminder-push', email: 'reminder-email' } },
  { delayMinutes: 1440, channels: ['email'], templates: { email: 'offer-email' } },
];
const CAMPAIGN = {
  name: 'Winter parkas: gentle reminder',
  status: 'paused',
  triggerIdleMinutes: 30,
  eligibility: { minCartValue: 50, customerType: 'any' },
  steps: STEPS,
  quietHours: { start: '21:00', end: '08:00' },
  frequencyCap: { maxMessages: 3, windowHours: 168, minGapHours: 12 },
};
const RULE = {
  name: 'Second reminder: 10 % for carts over 80',
  priority: 50,
  conditions: { minCartValue: 80, steps: [1] },
  offer: { type: 'percent', amount: 10, minPercent: 5, maxPercent: 15, expiryHours: 48 },
};
const TEMPLATE = { channel: 'email', name: 'Parka reminder', subject: 'Still thinking it over, {{firstName}}?', text: 'Your cart is waiting: {{resumeUrl}}' };

const reportFormat = oneOf(['json', 'csv'], 'json (default) or csv.');
const windowParam = z.string().optional().meta({ description: `Conversion window per step: one of ${WINDOWS.join(', ')}, or step:window pairs such as contact:1h,completed:3d.` });
const optionalSteps = z.string().optional().meta({ description: 'Comma-separated steps that may be skipped: contact, shipping, payment.' });

export const adminRoutes: ApiRoute[] = [
  route('POST /admin/api/auth/login', {
    tag: 'Console: sign-in',
    summary: 'Sign in to the console',
    description: 'Sets the session cookies (httpOnly, SameSite=Strict). Repeated failures are throttled (429 with Retry-After).',
    security: 'none',
    body: loginSchema,
    responses: { 200: { description: '`{ user }`, and the session cookies.' } },
    errors: [400, 401, 429],
    examples: [{ summary: 'Email and password', value: EXAMPLE_ADMIN }],
  }),
  route('POST /admin/api/auth/refresh', { tag: 'Console: sign-in', summary: 'Renew the session from the refresh cookie', security: 'none', responses: { 200: { description: '`{ user }`, and new cookies.' } }, errors: [401] }),
  route('POST /admin/api/auth/logout', { tag: 'Console: sign-in', summary: 'Sign out', security: 'none', responses: { 204: { description: 'The session is closed and its cookies cleared.' } } }),
  route('GET /admin/api/auth/me', { tag: 'Console: sign-in', summary: 'Who is signed in', security: 'console', responses: one('`{ id, email, role }`.') }),

  route('GET /admin/api/campaigns', { tag: 'Console: campaigns', summary: 'List campaigns with last week\'s results', security: 'console', query: listQuerySchema(CAMPAIGN_LIST), responses: list('Campaigns.'), errors: [400] }),
  route('POST /admin/api/campaigns/preview', {
    tag: 'Console: campaigns',
    summary: 'Preview a draft campaign\'s timeline for a shopper',
    description: 'Stores nothing; open to every role. `campaign` is checked like a campaign being saved.',
    security: 'console',
    body: previewShopperSchema.safeExtend({ campaign: campaignInputSchema }),
    responses: one('The planned messages, with the rule that decided each.'),
    errors: [400],
    examples: [{ summary: 'A shopper in Paris with email and push', value: { campaign: CAMPAIGN, abandonedAt: '2026-11-26T14:00:00Z', timezone: 'Europe/Paris', channels: ['email', 'push'] } }],
  }),
  route('GET /admin/api/campaigns/{id}', { tag: 'Console: campaigns', summary: 'Read a campaign', security: 'console', params: id('campaign (UUID)'), responses: one('The campaign with its version.'), errors: [400, 404] }),
  route('POST /admin/api/campaigns', {
    tag: 'Console: campaigns',
    summary: 'Create a campaign',
    description: 'admin or marketer. Templates and discount rules it names must exist.',
    security: 'console',
    body: campaignInputSchema,
    responses: created('The campaign.'),
    errors: [400],
    examples: [{ summary: 'Push or email within the hour, then an email the next day', value: CAMPAIGN }],
  }),
  route('PUT /admin/api/campaigns/{id}', {
    tag: 'Console: campaigns',
    summary: 'Change a campaign',
    description: 'admin or marketer. The read-only fields the API returned (id, status, createdAt, updatedAt, last7Days) may be sent back and are ignored.',
    security: 'console',
    params: id('campaign (UUID)'),
    body: campaignInputSchema.safeExtend({ version }),
    responses: one('The campaign at its new version.'),
    errors: [400, 404, 409],
    examples: [{ summary: 'Wait an hour before the first step', value: { ...CAMPAIGN, version: 1, triggerIdleMinutes: 60 } }],
  }),
  route('POST /admin/api/campaigns/{id}/activate', { tag: 'Console: campaigns', summary: 'Activate a campaign', security: 'console', params: id('campaign (UUID)'), responses: one('The campaign.'), errors: [400, 404] }),
  route('POST /admin/api/campaigns/{id}/pause', { tag: 'Console: campaigns', summary: 'Pause a campaign', security: 'console', params: id('campaign (UUID)'), responses: one('The campaign.'), errors: [400, 404] }),
  route('POST /admin/api/campaigns/{id}/steps/{stepIndex}/promote', {
    tag: 'Console: campaigns',
    summary: 'Promote an A/B variant to be the step\'s only message',
    security: 'console',
    params: { ...id('campaign (UUID)'), stepIndex: 'The step, 0 for the first.' },
    body: promoteSchema,
    responses: one('The campaign.'),
    errors: [400, 404, 409],
    examples: [{ summary: 'The winning variant', value: { variant: EXAMPLE_VARIANT } }],
  }),

  route('GET /admin/api/checkouts', { tag: 'Console: checkouts', summary: 'Search checkouts', security: 'console', query: listQuerySchema(CHECKOUT_LIST), responses: list('Checkouts.'), errors: [400] }),
  route('GET /admin/api/checkouts/{id}', { tag: 'Console: checkouts', summary: 'A checkout with its events, enrollment, messages, order and payment', security: 'console', params: id('checkout (UUID)'), responses: one('The checkout.'), errors: [400, 404] }),
  route('GET /admin/api/messages', { tag: 'Console: messages', summary: 'Messages planned and sent: subject, channel, recipient, body preview', security: 'console', query: listQuerySchema(MESSAGE_LIST), responses: list('Messages.'), errors: [400] }),
  route('GET /admin/api/messages/{id}', { tag: 'Console: messages', summary: 'One message as it was sent', security: 'console', params: id('message (UUID)'), responses: one('The message.'), errors: [400, 404] }),
  route('GET /admin/api/channels', { tag: 'Console: campaigns', summary: 'Each channel: enabled, or the missing setting that disables it', security: 'console', responses: one('`[{ channel, enabled, reason, detail }]`: `reason` is the missing setting (null when enabled), `detail` what it sends through, never a secret.') }),
  route('GET /admin/api/customers', { tag: 'Console: customers', summary: 'Search shoppers', security: 'console', query: listQuerySchema(CUSTOMER_LIST), responses: list('Shoppers.'), errors: [400] }),
  route('GET /admin/api/customers/{id}', { tag: 'Console: customers', summary: 'A shopper: contact points, consent, push subscriptions, orders, messages', security: 'console', params: id('customer (UUID)'), responses: one('The shopper.'), errors: [400, 404] }),
  route('POST /admin/api/customers/{id}/opt-out', {
    tag: 'Console: customers',
    summary: 'Opt a shopper out of a channel',
    security: 'console',
    params: id('customer (UUID)'),
    body: optOutSchema,
    responses: one('The shopper\'s consent now.'),
    errors: [400, 404],
    examples: [{ summary: 'No more email', value: { channel: 'email' } }],
  }),

  route('GET /admin/api/discount-rules', { tag: 'Console: discount rules', summary: 'List discount rules', security: 'console', query: listQuerySchema(RULE_LIST), responses: list('Rules.'), errors: [400] }),
  route('POST /admin/api/discount-rules/test', {
    tag: 'Console: discount rules',
    summary: 'Which rule and offer apply to a checkout',
    description: 'Stores nothing; open to every role. `rules` tries drafts instead of the stored rules.',
    security: 'console',
    body: ruleTestSchema,
    responses: one('The matching rule, its offer, and why the others did not match.'),
    errors: [400],
    examples: [{ summary: 'A returning shopper at the second reminder', value: { context: { cartValue: 120, ordersCount: 2, lifetimeValue: 310, isNewCustomer: false, stage: 'payment', stepIndex: 1 } } }],
  }),
  route('GET /admin/api/discount-rules/{id}', { tag: 'Console: discount rules', summary: 'Read a discount rule', security: 'console', params: id('rule (a key such as winback-10)'), responses: one('The rule.'), errors: [400, 404] }),
  route('POST /admin/api/discount-rules', {
    tag: 'Console: discount rules',
    summary: 'Create a discount rule',
    security: 'console',
    body: discountRuleInputSchema,
    responses: created('The rule.'),
    errors: [400, 409],
    examples: [{ summary: '10 % at the second reminder', value: { id: 'second-reminder-10', ...RULE } }],
  }),
  route('PUT /admin/api/discount-rules/{id}', {
    tag: 'Console: discount rules',
    summary: 'Change a discount rule',
    security: 'console',
    params: id('rule'),
    body: discountRuleInputSchema.extend({ version }),
    responses: one('The rule at its new version.'),
    errors: [400, 404, 409],
    examples: [{ summary: 'Lower the threshold', value: { ...RULE, conditions: { minCartValue: 60, steps: [1] }, version: 1 } }],
  }),

  route('GET /admin/api/sources', { tag: 'Console: sources', summary: 'List sources (never a key or secret)', security: 'console', query: listQuerySchema(SOURCE_LIST), responses: list('Sources.'), errors: [400] }),
  route('GET /admin/api/sources/{id}', { tag: 'Console: sources', summary: 'Read a source', security: 'console', params: id('source (UUID)'), responses: one('The source.'), errors: [400, 404] }),
  route('POST /admin/api/sources', {
    tag: 'Console: sources',
    summary: 'Create a source (admins)',
    description: 'The answer holds the write key, once.',
    security: 'console',
    body: sourceCreateSchema,
    responses: created('The source and its write key.'),
    errors: [400],
    examples: [{ summary: 'A storefront with its origin', value: { name: 'EU storefront', allowedOrigins: ['https://shop.example.eu'], requireEmailOptIn: true, defaultCurrency: 'EUR' } }],
  }),
  route('PUT /admin/api/sources/{id}', {
    tag: 'Console: sources',
    summary: 'Change a source (admins)',
    security: 'console',
    params: id('source (UUID)'),
    body: sourceUpdateSchema,
    responses: one('The source.'),
    errors: [400, 404],
    examples: [{ summary: 'Allow a second origin', value: { allowedOrigins: ['https://shop.example.eu', 'https://www.example.eu'] } }],
  }),

  route('GET /admin/api/templates', { tag: 'Console: templates', summary: 'List message templates', security: 'console', query: listQuerySchema(TEMPLATE_LIST), responses: list('Templates.'), errors: [400] }),
  route('POST /admin/api/templates/preview', {
    tag: 'Console: templates',
    summary: 'Render a template on a sample checkout',
    description: 'Stores nothing; open to every role.',
    security: 'console',
    body: templatePreviewSchema,
    responses: one('The rendered parts, or the parts that do not render.'),
    errors: [400],
    examples: [{ summary: 'A draft email', value: { template: TEMPLATE, sample: { firstName: 'Ada', resumeUrl: 'https://shop.example.com/c/abc' } } }],
  }),
  route('GET /admin/api/templates/{id}', { tag: 'Console: templates', summary: 'Read a template', security: 'console', params: id('template (its key)'), responses: one('The template.'), errors: [400, 404] }),
  route('POST /admin/api/templates', {
    tag: 'Console: templates',
    summary: 'Create a template',
    security: 'console',
    body: templateCreateSchema,
    responses: created('The template.'),
    errors: [400, 409],
    examples: [{ summary: 'An email reminder', value: { key: 'parka-reminder-email', ...TEMPLATE } }],
  }),
  route('PUT /admin/api/templates/{id}', {
    tag: 'Console: templates',
    summary: 'Change a template',
    security: 'console',
    params: id('template (its key)'),
    body: templateUpdateSchema.extend({ version }),
    responses: one('The template at its new version.'),
    errors: [400, 404, 409],
    examples: [{ summary: 'A new subject line', value: { ...TEMPLATE, subject: 'Your parka is still here, {{firstName}}', version: 1 } }],
  }),

  route('GET /admin/api/users', { tag: 'Console: users', summary: 'List console users (admins)', security: 'console', query: listQuerySchema(USER_LIST), responses: list('Users.'), errors: [400] }),
  route('GET /admin/api/users/{id}', { tag: 'Console: users', summary: 'Read a console user (admins)', security: 'console', params: id('user (UUID)'), responses: one('The user.'), errors: [400, 404] }),
  route('POST /admin/api/users', {
    tag: 'Console: users',
    summary: 'Create a console user (admins)',
    security: 'console',
    body: userCreateSchema,
    responses: created('The user.'),
    errors: [400, 409],
    examples: [{ summary: 'An analyst', value: { email: 'analyst@example.com', password: 'a long passphrase 42', role: 'analyst', name: 'Grace' } }],
  }),
  route('PUT /admin/api/users/{id}', {
    tag: 'Console: users',
    summary: 'Change a console user (admins)',
    security: 'console',
    params: id('user (UUID)'),
    body: userUpdateSchema,
    responses: one('The user.'),
    errors: [400, 404],
    examples: [{ summary: 'Make them a marketer', value: { role: 'marketer' } }],
  }),
  route('GET /admin/api/audit-log', { tag: 'Console: audit log', summary: 'The audit log (admins)', security: 'console', query: listQuerySchema(AUDIT_LIST), responses: list('Entries, newest first.'), errors: [400] }),
  route('GET /admin/api/audit-log/{id}', { tag: 'Console: audit log', summary: 'One audit entry with before and after (admins)', security: 'console', params: id('entry (UUID)'), responses: one('The entry.'), errors: [400, 404] }),

  route('GET /admin/api/reports/funnel', {
    tag: 'Console: reports',
    summary: 'The checkout funnel',
    security: 'console',
    query: z.object({ from: day('First day'), to: day('Last day'), breakdown: oneOf(BREAKDOWNS, 'Group by device, source or customerType.'), window: windowParam, optional: optionalSteps, format: reportFormat }),
    responses: { 200: { description: 'The funnel as JSON, or CSV with `format=csv`.' } },
    errors: [400],
  }),
  route('GET /admin/api/reports/funnel/dropoffs', {
    tag: 'Console: reports',
    summary: 'The checkouts that dropped off at a step',
    description: `Parameters from the query or react-admin's \`filter\` JSON (keys: ${DROPOFF_PARAMS.join(', ')}), with \`sort\` and \`range\`.`,
    security: 'console',
    query: z.object({
      stage: z.enum(TIMED_STEPS).meta({ description: 'The step they did not reach.' }),
      from: day('First day'),
      to: day('Last day'),
      window: windowParam,
      optional: optionalSteps,
      outcome: oneOf(['lost', 'inProgress'], 'lost (default) or still in progress.'),
      device: z.string().optional(),
      sourceId: z.string().optional().meta({ description: 'A source id (UUID).' }),
      customerType: oneOf(['new', 'returning'], 'new or returning shoppers only.'),
      format: reportFormat,
      ...listQuerySchema({ filters: DROPOFF_PARAMS, sortable: ['startedAt', 'lastStepAt', 'cartValue'], defaultSort: { field: 'startedAt', order: 'DESC' } }).shape,
    }),
    responses: list('Checkouts.'),
    errors: [400],
  }),
  route('GET /admin/api/reports/recovery', {
    tag: 'Console: reports',
    summary: 'Recovered checkouts and revenue over time',
    security: 'console',
    query: z.object({ from: day('First day'), to: day('Last day'), interval: oneOf(['day', 'week'], 'day (default) or week.'), by: oneOf(RECOVERY_GROUPINGS, 'Group by campaign, step or channel.'), format: reportFormat }),
    responses: { 200: { description: 'Attributed recoveries, with the holdout\'s incremental revenue beside them.' } },
    errors: [400],
  }),
  route('GET /admin/api/reports/dashboard', { tag: 'Console: reports', summary: 'Today against the same time last week', security: 'console', query: z.object({ format: reportFormat }), responses: one('The dashboard figures.'), errors: [400] }),
  route('GET /admin/api/reports/lift', {
    tag: 'Console: experiments',
    summary: 'Holdout lift and A/B/n variants, with always-valid intervals',
    security: 'console',
    query: z.object({ from: day('First day'), to: day('Last day'), campaignId: z.string().optional().meta({ description: 'One campaign (UUID).' }), stepIndex: z.string().regex(/^\d{1,2}$/).optional().meta({ description: 'One step, 0 for the first.' }), format: reportFormat }),
    responses: one('The lift report.'),
    errors: [400],
  }),
  route('GET /admin/api/experiments/holdout', { tag: 'Console: experiments', summary: 'The store-wide holdout and experiment period', security: 'console', responses: one('`{ globalHoldoutPercent, period, periodStartedAt }`.') }),
  route('PUT /admin/api/experiments/holdout', {
    tag: 'Console: experiments',
    summary: 'Set the store-wide holdout (admins)',
    security: 'console',
    body: globalHoldoutSchema,
    responses: one('The holdout settings.'),
    errors: [400],
    examples: [{ summary: 'Hold out 5 % of shoppers', value: { globalHoldoutPercent: 5 } }],
  }),
  route('POST /admin/api/experiments/holdout/new-period', { tag: 'Console: experiments', summary: 'Start a new experiment period (reshuffles new enrollments)', security: 'console', responses: one('The holdout settings.') }),

  route('GET /admin/api/ml/checkouts/{id}/next-decision', { tag: 'Console: model', summary: 'What the policy would decide for a checkout\'s next step now', security: 'console', params: id('checkout (UUID)'), responses: one('The decision and its candidates.'), errors: [400, 404] }),
  route('GET /admin/api/ml/versions', { tag: 'Console: model', summary: 'Model versions', security: 'console', responses: one('Versions, newest first.') }),
  route('POST /admin/api/ml/versions/{id}/promote', { tag: 'Console: model', summary: 'Promote a model version (an earlier one is a rollback)', security: 'console', params: id('model version (UUID)'), responses: one('`{ promoted }`.'), errors: [400, 404, 422] }),
  route('GET /admin/api/ml/training-runs', { tag: 'Console: model', summary: 'Recent training runs', security: 'console', responses: one('Runs, newest first.') }),
  route('POST /admin/api/ml/training-runs', { tag: 'Console: model', summary: 'Retrain now', security: 'console', responses: { 202: { description: 'The queued run; poll it for progress.' } } }),
  route('GET /admin/api/ml/training-runs/{id}', { tag: 'Console: model', summary: 'A training run and its progress', security: 'console', params: id('training run (UUID)'), responses: one('The run.'), errors: [400, 404] }),
  route('GET /admin/api/ml/send-times', { tag: 'Console: model', summary: 'What send-time learning found', security: 'console', responses: one('Per step and arm.') }),
];
