/**
 * A simulated shop with a known truth, in event time: who abandons checkouts (segments, hidden from every
 * policy), when each shopper would come back on their own, and how each delivered message may bring them back
 * (or make them unsubscribe). The JSON shape (format v2) is documented field by field in ml/README.md;
 * `parseWorld` rejects anything else with a `WorldError` naming the offending field. A v1 world (outcome drawn
 * after the whole sequence, no time) is refused by name: its parameters have no faithful v2 meaning.
 */
import { z } from 'zod';
import { parseCampaignInput } from '../../campaigns/campaign-schema';
import { DEFAULT_CAMPAIGN } from '../../campaigns/default-campaign';
import { isValidTimeZone } from '../../campaigns/local-time';
import type { Campaign } from '../../campaigns/types';
import type { Economics } from '../plan-search';

const SUM_TOLERANCE = 1e-3;
export const WORLD_FORMAT_VERSION = 2;

export class WorldError extends Error {
  constructor(
    /** Dotted path of the offending field, e.g. `segments[1].device.mobile`; '' for the whole document. */
    readonly path: string,
    detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'WorldError';
  }
}

const probability = z.number().min(0).max(1);
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const hours = z.number().gt(0).max(24 * 30);

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** What a refinement may report to (zod's refinement context, as far as it is used here). */
interface Issues {
  addIssue(issue: { code: 'custom'; message: string; path?: PropertyKey[] }): void;
}

function sumsToOne(values: readonly number[], ctx: Issues, what = 'shares'): void {
  const sum = values.reduce((s, v) => s + v, 0);
  if (Math.abs(sum - 1) > SUM_TOLERANCE) ctx.addIssue({ code: 'custom', message: `${what} must sum to 1 (got ${round(sum)})` });
}

function mix<K extends string>(keys: readonly [K, ...K[]]) {
  const shape = Object.fromEntries(keys.map((k) => [k, probability])) as Record<K, typeof probability>;
  return z.strictObject(shape).superRefine((value, ctx) => sumsToOne(Object.values(value) as number[], ctx));
}

function perKey<K extends string, T extends z.ZodType>(keys: readonly [K, ...K[]], value: T) {
  return z.strictObject(Object.fromEntries(keys.map((k) => [k, value])) as Record<K, T>);
}

const CHANNEL_KEYS = ['email', 'push', 'sms'] as const;
const STAGE_KEYS = ['started', 'contact', 'shipping', 'payment'] as const;
const DEVICE_KEYS = ['mobile', 'desktop', 'tablet'] as const;
export const HOUR_BANDS = ['night', 'morning', 'afternoon', 'evening'] as const;
export type HourBand = (typeof HOUR_BANDS)[number];

/** A log-normal delay: half of the events happen before `median_hours`; `sigma` is the spread of its log. */
const delaySchema = z.strictObject({ median_hours: hours, sigma: z.number().min(0).max(3) });

const segmentSchema = z.strictObject({
  name: z.string().min(1),
  share: z.number().gt(0).max(1),
  cart_value: z.strictObject({ median: z.number().gt(0), sigma: z.number().min(0).max(3) }),
  margin_rate: z.number().gt(0).max(1),
  returning_rate: probability,
  device: mix(DEVICE_KEYS),
  stage_mix: mix(STAGE_KEYS),
  reachable: perKey(CHANNEL_KEYS, probability),
  organic_logit: finite,
  response_logit: finite,
  stage_lift: perKey(STAGE_KEYS, finite),
  channel_lift: perKey(CHANNEL_KEYS, finite),
  discount_lift_per_pct: finite,
  discount_saturation_pct: z.number().min(0).max(100),
  fatigue_per_message: finite,
  interest_half_life_hours: hours,
  unsubscribe: perKey(CHANNEL_KEYS, z.number().min(0).max(0.5)),
});

const worldObject = z.strictObject({
  version: z.literal(WORLD_FORMAT_VERSION, `must be ${WORLD_FORMAT_VERSION}`),
  seed: z.number().int().min(0),
  history_checkouts: z.number().int().min(1).max(2_000_000),
  eval_checkouts: z.number().int().min(1).max(2_000_000),
  discount_levels: z
    .array(z.number().min(0).max(100))
    .min(1)
    .superRefine((levels, ctx) => {
      if (!levels.includes(0)) ctx.addIssue({ code: 'custom', message: 'must include 0 (no discount)' });
      if (levels.some((l, i) => i > 0 && l <= levels[i - 1])) ctx.addIssue({ code: 'custom', message: 'must be strictly ascending' });
    }),
  message_cost: perKey(CHANNEL_KEYS, z.number().min(0)),
  lost_subscriber_cost: perKey(CHANNEL_KEYS, z.number().min(0)),
  timezones: z
    .record(z.string(), probability)
    .superRefine((zones, ctx) => {
      const names = Object.keys(zones);
      if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'must name at least one time zone' });
      for (const name of names) if (!isValidTimeZone(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not an IANA time zone' });
      if (names.length > 0) sumsToOne(Object.values(zones), ctx);
    }),
  timezone_known_rate: probability,
  abandon_hour_weights: z
    .array(z.number().min(0))
    .length(24)
    .refine((w) => w.some((x) => x > 0), 'needs at least one positive weight'),
  organic_delay: delaySchema,
  response_delay: perKey(CHANNEL_KEYS, delaySchema),
  hour_lift: perKey(HOUR_BANDS, finite),
  campaign: z.unknown().optional(),
  segments: z.array(segmentSchema).min(1),
});

const worldSchema = worldObject.superRefine((world, ctx) => {
  const sum = world.segments.reduce((s, seg) => s + seg.share, 0);
  if (Math.abs(sum - 1) > SUM_TOLERANCE) ctx.addIssue({ code: 'custom', path: ['segments'], message: `segment shares must sum to 1 (got ${round(sum)})` });
  const names = new Set<string>();
  world.segments.forEach((seg, i) => {
    if (names.has(seg.name)) ctx.addIssue({ code: 'custom', path: ['segments', i, 'name'], message: `duplicate segment name "${seg.name}"` });
    names.add(seg.name);
  });
});

type ParsedWorld = z.infer<typeof worldObject>;
export type Segment = ParsedWorld['segments'][number];
export type WorldStage = (typeof STAGE_KEYS)[number];
export type Delay = z.infer<typeof delaySchema>;

export type World = Omit<ParsedWorld, 'campaign'> & {
  /** The campaign shoppers go through: the file's, or the seed campaign (default-campaign.ts) when absent. */
  campaign: Omit<Campaign, 'id'>;
  /**
   * Derived, not read from the file: the campaign's step count (what the off-policy look-ahead of
   * `decisionSpace` counts in).
   */
  max_messages: number;
};

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** `steps.1.delayMinutes` (the campaign schema's paths) as `campaign.steps[1].delayMinutes`. */
function campaignPath(path: string): string {
  return formatPath(['campaign', ...path.split('.').filter((p) => p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p))]);
}

/** A v1 world: no `version`, and the whole-sequence fields v2 replaced. */
function isV1(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || 'version' in value) return false;
  const v = value as Record<string, unknown>;
  const segments = Array.isArray(v.segments) ? (v.segments as unknown[]) : [];
  return 'max_messages' in v || segments.some((s) => s !== null && typeof s === 'object' && 'base_logit' in s);
}

/** A validated world, from a JSON string or an already-parsed value. Throws `WorldError` naming the first bad field. */
export function parseWorld(json: unknown): World {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new WorldError('', `not valid JSON: ${(error as Error).message}`);
    }
  }
  if (isV1(value)) {
    throw new WorldError(
      'version',
      'this is a v1 world (one outcome drawn after the whole sequence, no time), which is not converted: its base_logit and lifts have no faithful event-time meaning; write it as v2 (ml/README.md, "Simulator worlds")',
    );
  }
  // A parsed world passed back in (spread and changed by a caller) carries its derived fields: not the file's.
  const input = value !== null && typeof value === 'object' && 'max_messages' in value ? withoutDerived(value as Record<string, unknown>) : value;
  const result = worldSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue.code === 'unrecognized_keys') throw new WorldError(formatPath([...issue.path, issue.keys[0]]), 'unknown field');
    if (valueAt(input, issue.path) === undefined) throw new WorldError(formatPath(issue.path), 'required field is missing');
    throw new WorldError(formatPath(issue.path), issue.message);
  }
  const { campaign: rawCampaign, ...rest } = result.data;
  let campaign: Omit<Campaign, 'id'> = DEFAULT_CAMPAIGN;
  if (rawCampaign !== undefined) {
    const parsed = parseCampaignInput(rawCampaign);
    if (!parsed.ok) {
      const problem = parsed.problems[0];
      throw new WorldError(campaignPath(problem.path), problem.message);
    }
    campaign = parsed.campaign;
  }
  return { ...rest, campaign, max_messages: campaign.steps.length };
}

function withoutDerived(value: Record<string, unknown>): Record<string, unknown> {
  const { max_messages: _derived, ...rest } = value;
  return rest;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), root);
}

/** What the merchant knows: the average margin rate of its orders, and what each message costs. */
export function worldEconomics(world: Pick<World, 'segments' | 'message_cost'>): Economics {
  return { marginRate: world.segments.reduce((s, seg) => s + seg.share * seg.margin_rate, 0), messageCost: world.message_cost };
}
