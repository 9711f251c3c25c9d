/**
 * The line formats of the offline policy commands (`ml:train --examples`, `ml:decide`, `ml:export`) and the
 * economics file, as zod schemas. The CLI validates with these, and the committed JSON Schema files next to
 * this one (`*.v1.json`) are generated from them (`generate.ts`), so the published schema and what the CLI
 * accepts cannot drift apart (`schema.spec.ts` fails when they do).
 *
 * A change that would reject a line v1 accepted is a v2: new files, the old ones kept.
 */
import { z } from 'zod';
import { CHECKOUT_STAGES } from '../../campaigns/types';
import { type Action, type DecisionContext, sameAction } from '../features';

export const SCHEMA_VERSION = 1;

const CHANNEL_NAMES = ['email', 'push', 'sms'] as const;
const percent = z.number().min(0).max(100);
const count = z.number().int().min(0);

const channelMap = <T extends z.ZodType>(value: T) => z.strictObject({ email: value, push: value, sms: value });

export const actionSchema = z
  .strictObject({
    channel: z.enum(['none', 'email', 'push', 'sms']),
    discountPct: percent,
  })
  .meta({ id: 'Action', description: 'What a decision does: a message on a channel with a percent off the cart, or "none" (nothing more is sent).' });

export const decisionContextSchema = z
  .strictObject({
    cartValue: z.number().min(0),
    cartItems: count,
    stage: z.enum(CHECKOUT_STAGES).meta({ description: 'The furthest checkout stage reached.' }),
    device: z.enum(['mobile', 'desktop', 'tablet', 'unknown']),
    localHour: z.number().min(0).lt(24).meta({ description: "0–23 in the customer's zone." }),
    weekday: z.number().int().min(0).max(6).meta({ description: "0 (Sunday) – 6 (Saturday) in the customer's zone." }),
    isReturning: z.boolean(),
    ordersCount: count,
    lifetimeValue: z.number().min(0),
    reachable: channelMap(z.boolean()).meta({ description: 'Contact and consent both present, per channel.' }),
    engagement: channelMap(z.strictObject({ sent: count, opened: count, clicked: count })).meta({ description: "This customer's past recovery messages, all campaigns." }),
    lastEngagedChannel: z
      .enum(CHANNEL_NAMES)
      .nullable()
      .optional()
      .meta({ description: 'The channel of the last recovery message the customer opened or clicked ("last engaged"); not a model feature.' }),
    stepIndex: count.meta({ description: 'Index of the decision in its sequence (0 for the first message).' }),
    hoursSinceAbandon: z.number().min(0).meta({ description: 'Hours since the checkout was abandoned, in campaign time.' }),
    messagesSent: z.array(z.strictObject({ channel: z.enum(CHANNEL_NAMES), discountPct: percent })).meta({ description: 'This sequence so far, in order.' }),
  })
  .meta({ id: 'DecisionContext', description: 'What is observable when the decision is made (ml/features.ts `DecisionContext`).' });

const outcomeSchema = z
  .strictObject({
    recovered: z.boolean(),
    margin: z.number().optional().meta({ description: 'Realised margin of the recovery before message costs (revenue × margin rate − discounts); only when recovered, omitted when unknown.' }),
    discountCost: z.number().min(0).optional().meta({ description: "What the recovery's discounts cost; only when recovered, omitted when unknown." }),
  })
  .meta({ description: "The sequence's final outcome; may be repeated on each of its lines but must agree, and at least one line carries it." });

export const exampleLineSchema = z
  .strictObject({
    sequenceId: z.string().min(1).meta({ description: 'The checkout; lines of one sequence are its decisions in step order.' }),
    decidedAt: z.iso.datetime({ offset: true }),
    ctx: decisionContextSchema,
    candidates: z.array(actionSchema).min(1).optional().meta({ description: 'The actions the policy chose among, when logged; `action` is one of them.' }),
    rulesAction: actionSchema.optional().meta({ description: "What the rules alone would have done at this decision, when logged (the off-policy estimate of the rules replays it)." }),
    action: actionSchema,
    propensity: z.number().gt(0).max(1).meta({ description: 'Probability the logging policy gave to `action`.' }),
    outcome: outcomeSchema.optional(),
  })
  .superRefine((line, ctx) => {
    if (line.candidates && !line.candidates.some((c) => sameAction(c, line.action))) ctx.addIssue({ code: 'custom', path: ['action'], message: 'must be one of candidates' });
    for (const field of ['margin', 'discountCost'] as const) {
      if (line.outcome && !line.outcome.recovered && line.outcome[field] !== undefined) ctx.addIssue({ code: 'custom', path: ['outcome', field], message: `only a recovered checkout has a ${field === 'margin' ? 'margin' : 'discount cost'}` });
    }
  })
  .meta({ title: 'Logged decision (ml:train --examples, ml:export), v1', description: 'One line of a JSON Lines file of logged decisions.' });

const requestId = z.union([z.string().min(1), z.number()]).meta({ description: 'Echoed back; also seeds the exploration draw.' });

export const decideRequestSchema = z
  .strictObject({
    id: requestId,
    ctx: decisionContextSchema,
    candidates: z.array(actionSchema).min(1).meta({ description: 'The actions allowed; the answer is always one of them.' }),
  })
  .meta({ title: 'Decision request (ml:decide stdin), v1', description: 'One line of ml:decide input.' });

export const decideResponseSchema = z
  .strictObject({
    id: requestId,
    action: actionSchema,
    propensity: z.number().gt(0).max(1).meta({ description: 'Probability this procedure had of taking `action` (1 when exploiting).' }),
    expectedMargin: z.number().meta({ description: "The model's expected margin of `action`, this step scored as the sequence's last (no look-ahead)." }),
  })
  .meta({ title: 'Decision (ml:decide stdout), v1', description: 'One line of ml:decide output, in the order of the requests.' });

export const economicsSchema = z
  .strictObject({
    marginRate: z.number().min(0).max(1).meta({ description: "Share of the cart's value the merchant keeps on an order, before any discount." }),
    messageCost: channelMap(z.number().min(0)).meta({ description: 'What one message costs per channel, in the shop currency.' }),
  })
  .meta({ title: 'Economics (ml:train --economics), v1', description: 'What a recovery is worth and what a message costs.' });

export type ExampleLine = z.infer<typeof exampleLineSchema>;
export type DecideRequest = z.infer<typeof decideRequestSchema>;
export type DecideResponse = z.infer<typeof decideResponseSchema>;

/** The published files, by name (generate.ts writes them, schema.spec.ts compares them). */
export const JSON_SCHEMAS = {
  'example.v1.json': exampleLineSchema,
  'decide-request.v1.json': decideRequestSchema,
  'decide-response.v1.json': decideResponseSchema,
  'economics.v1.json': economicsSchema,
} as const;

export function jsonSchemaOf(file: keyof typeof JSON_SCHEMAS): Record<string, unknown> {
  const schema = z.toJSONSchema(JSON_SCHEMAS[file], { target: 'draft-2020-12', io: 'input' });
  const { $schema, ...rest } = schema;
  return { $schema, $id: `urn:checkout-recovery:ml:${file.replace(/\.json$/, '')}`, ...rest };
}

// A parsed line is exactly ml/features.ts' types: a field added there without the schema breaks the build here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const SCHEMA_MATCHES_FEATURES: Same<z.infer<typeof decisionContextSchema>, DecisionContext> & Same<z.infer<typeof actionSchema>, Action> = true;
