/**
 * A simulated shop with a known truth: who abandons checkouts (segments, hidden from every policy) and how
 * likely each is to come back after a given sequence of messages. The JSON shape is documented in
 * ml/README.md; `parseWorld` rejects anything else with an error naming the offending field.
 */
import { z } from 'zod';

const SUM_TOLERANCE = 1e-3;

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

function mix<K extends string>(keys: readonly [K, ...K[]]) {
  const shape = Object.fromEntries(keys.map((k) => [k, probability])) as Record<K, typeof probability>;
  return z.strictObject(shape).superRefine((value, ctx) => {
    const sum = (Object.values(value) as number[]).reduce((s, v) => s + v, 0);
    if (Math.abs(sum - 1) > SUM_TOLERANCE) ctx.addIssue({ code: 'custom', message: `shares must sum to 1 (got ${round(sum)})` });
  });
}

function perKey<K extends string, T extends z.ZodType>(keys: readonly [K, ...K[]], value: T) {
  return z.strictObject(Object.fromEntries(keys.map((k) => [k, value])) as Record<K, T>);
}

const CHANNEL_KEYS = ['email', 'push', 'sms'] as const;
const STAGE_KEYS = ['started', 'contact', 'shipping', 'payment'] as const;
const DEVICE_KEYS = ['mobile', 'desktop', 'tablet'] as const;

const segmentSchema = z.strictObject({
  name: z.string().min(1),
  share: z.number().gt(0).max(1),
  cart_value: z.strictObject({ median: z.number().gt(0), sigma: z.number().min(0).max(3) }),
  margin_rate: z.number().gt(0).max(1),
  returning_rate: probability,
  device: mix(DEVICE_KEYS),
  stage_mix: mix(STAGE_KEYS),
  reachable: perKey(CHANNEL_KEYS, probability),
  base_logit: finite,
  stage_lift: perKey(STAGE_KEYS, finite),
  channel_lift: perKey(CHANNEL_KEYS, finite),
  discount_lift_per_pct: finite,
  discount_saturation_pct: z.number().min(0).max(100),
  fatigue_per_message: finite,
});

const worldSchema = z
  .strictObject({
    seed: z.number().int().min(0),
    history_checkouts: z.number().int().min(1).max(2_000_000),
    eval_checkouts: z.number().int().min(1).max(2_000_000),
    max_messages: z.number().int().min(1).max(10),
    discount_levels: z
      .array(z.number().min(0).max(100))
      .min(1)
      .superRefine((levels, ctx) => {
        if (!levels.includes(0)) ctx.addIssue({ code: 'custom', message: 'must include 0 (no discount)' });
        if (levels.some((l, i) => i > 0 && l <= levels[i - 1])) ctx.addIssue({ code: 'custom', message: 'must be strictly ascending' });
      }),
    message_cost: perKey(CHANNEL_KEYS, z.number().min(0)),
    segments: z.array(segmentSchema).min(1),
  })
  .superRefine((world, ctx) => {
    const sum = world.segments.reduce((s, seg) => s + seg.share, 0);
    if (Math.abs(sum - 1) > SUM_TOLERANCE) ctx.addIssue({ code: 'custom', path: ['segments'], message: `segment shares must sum to 1 (got ${round(sum)})` });
    const names = new Set<string>();
    world.segments.forEach((seg, i) => {
      if (names.has(seg.name)) ctx.addIssue({ code: 'custom', path: ['segments', i, 'name'], message: `duplicate segment name "${seg.name}"` });
      names.add(seg.name);
    });
  });

export type World = z.infer<typeof worldSchema>;
export type Segment = World['segments'][number];
export type WorldStage = (typeof STAGE_KEYS)[number];

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
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
  const result = worldSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    throw new WorldError(formatPath([...issue.path, key]), 'unknown field');
  }
  if (valueAt(value, issue.path) === undefined) throw new WorldError(formatPath(issue.path), 'required field is missing');
  throw new WorldError(formatPath(issue.path), issue.message);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), root);
}
