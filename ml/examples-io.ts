/**
 * JSON Lines for the offline policy commands: logged decisions as lines (`ml:export`) and lines as
 * `TrainingExample`s (`ml:train --examples`), and the parsing of one line with every problem named by line
 * and field. No file system here: callers hand in lines and write what comes back.
 *
 * A sequence (one checkout) is its lines in step order; its outcome may be repeated on each line but must
 * agree, and at least one of its lines must carry it.
 */
import type { z } from 'zod';
import type { Action, DecisionContext } from './features';
import type { TrainingExample } from './model';
import { type ExampleLine, exampleLineSchema } from './schema/examples';
import { describeIssues } from './schema/problems';

/** Bad input: the problems found, each `line N: field: what is wrong`. Nothing should be trained or written. */
export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'InputError';
  }
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** A value checked against a line schema; `where` ("line 7") prefixes each problem. */
export function checkValue<T>(schema: z.ZodType<T>, value: unknown, where: string): Parsed<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: describeIssues(result.error.issues, value).map((p) => `${where}: ${p}`) };
}

/** One line of JSON Lines, parsed and checked. */
export function parseLine<T>(schema: z.ZodType<T>, text: string, line: number): Parsed<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`line ${line}: not valid JSON (${(error as Error).message})`] };
  }
  return checkValue(schema, value, `line ${line}`);
}

/** Non-blank lines with their 1-based number in the input (blank lines are skipped but counted; a BOM is dropped). */
export async function* numberedLines(lines: AsyncIterable<string>): AsyncGenerator<{ line: number; text: string }> {
  let n = 0;
  for await (const raw of lines) {
    n += 1;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (n === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    if (text.trim() !== '') yield { line: n, text };
  }
}

interface Sequence {
  id: string;
  firstLine: number;
  lastStep: { stepIndex: number; line: number };
  outcome?: { value: Outcome; line: number };
  examples: TrainingExample[];
}

export interface CollectedExamples {
  examples: TrainingExample[];
  sequences: number;
}

type Outcome = NonNullable<ExampleLine['outcome']>;
const sameOutcome = (a: Outcome, b: Outcome) => a.recovered === b.recovered && a.margin === b.margin && a.discountCost === b.discountCost;

/**
 * Lines of logged decisions in, `TrainingExample`s out (`checkoutId` = sequenceId, the sequence's outcome on
 * each). Collects problems instead of stopping at the first, up to `maxProblems`; `finish` throws them.
 */
export class ExampleCollector {
  private readonly sequences = new Map<string, Sequence>();
  private readonly examples: TrainingExample[] = [];
  private readonly problems: string[] = [];
  private lines = 0;

  constructor(private readonly maxProblems = 20) {}

  /** Enough problems to report: reading further would only make the list longer. */
  get full(): boolean {
    return this.problems.length >= this.maxProblems;
  }

  addText(text: string, line: number): void {
    this.take(parseLine(exampleLineSchema, text, line), line);
  }

  addValue(value: unknown, line: number): void {
    this.take(checkValue(exampleLineSchema, value, `line ${line}`), line);
  }

  private take(parsed: Parsed<ExampleLine>, line: number): void {
    this.lines += 1;
    if (!parsed.ok) return this.report(...parsed.problems);
    const l = parsed.value;
    let sequence = this.sequences.get(l.sequenceId);
    if (!sequence) {
      sequence = { id: l.sequenceId, firstLine: line, lastStep: { stepIndex: l.ctx.stepIndex, line }, examples: [] };
      this.sequences.set(l.sequenceId, sequence);
    }
    if (l.ctx.stepIndex < sequence.lastStep.stepIndex) {
      this.report(`line ${line}: ctx.stepIndex: step ${l.ctx.stepIndex} comes after step ${sequence.lastStep.stepIndex} (line ${sequence.lastStep.line}) of sequence ${JSON.stringify(l.sequenceId)}; a sequence's lines must be in step order`);
    }
    sequence.lastStep = { stepIndex: Math.max(l.ctx.stepIndex, sequence.lastStep.stepIndex), line };
    if (l.outcome) {
      if (!sequence.outcome) sequence.outcome = { value: l.outcome, line };
      else if (!sameOutcome(sequence.outcome.value, l.outcome)) {
        this.report(`line ${line}: outcome: ${JSON.stringify(l.outcome)} disagrees with line ${sequence.outcome.line}'s ${JSON.stringify(sequence.outcome.value)} for sequence ${JSON.stringify(l.sequenceId)}`);
      }
    }
    const example: TrainingExample = {
      ctx: l.ctx,
      action: l.action,
      propensity: l.propensity,
      recovered: false, // the sequence's outcome, set by finish()
      decidedAt: new Date(l.decidedAt),
      checkoutId: l.sequenceId,
      ...(l.candidates ? { candidates: l.candidates } : {}),
      ...(l.rulesAction ? { rulesAction: l.rulesAction } : {}),
    };
    sequence.examples.push(example);
    this.examples.push(example);
  }

  private report(...problems: string[]): void {
    for (const p of problems) if (!this.full) this.problems.push(p);
  }

  /** The examples, each with its sequence's outcome; throws `InputError` when anything was wrong. */
  finish(): CollectedExamples {
    if (this.lines === 0) this.report('no examples: the input is empty');
    for (const sequence of this.sequences.values()) {
      const outcome = sequence.outcome?.value;
      if (!outcome) {
        this.report(`line ${sequence.firstLine}: outcome: sequence ${JSON.stringify(sequence.id)} has no outcome on any of its lines`);
        continue;
      }
      for (const e of sequence.examples) {
        e.recovered = outcome.recovered;
        if (outcome.recovered && outcome.margin !== undefined) e.margin = outcome.margin;
        if (outcome.recovered && outcome.discountCost !== undefined) e.discountCost = outcome.discountCost;
      }
    }
    if (this.problems.length > 0) throw new InputError(this.problems);
    return { examples: this.examples, sequences: this.sequences.size };
  }
}

function actionOf(a: Action): Action {
  return { channel: a.channel, discountPct: a.discountPct };
}

/** Exactly the fields of `DecisionContext` (stored contexts may carry more); one logged before v2 lacks the hours, encoded as 0. */
function contextOf(ctx: DecisionContext): DecisionContext {
  const engagement = (c: keyof DecisionContext['engagement']) => ({ sent: ctx.engagement?.[c]?.sent, opened: ctx.engagement?.[c]?.opened, clicked: ctx.engagement?.[c]?.clicked });
  // Optional chaining and the cast: a stored context missing a field must reach validation, not throw here.
  return {
    cartValue: ctx.cartValue,
    cartItems: ctx.cartItems,
    stage: ctx.stage,
    device: ctx.device,
    localHour: ctx.localHour,
    weekday: ctx.weekday,
    isReturning: ctx.isReturning,
    ordersCount: ctx.ordersCount,
    lifetimeValue: ctx.lifetimeValue,
    reachable: { email: ctx.reachable?.email, push: ctx.reachable?.push, sms: ctx.reachable?.sms },
    engagement: { email: engagement('email'), push: engagement('push'), sms: engagement('sms') },
    stepIndex: ctx.stepIndex,
    hoursSinceAbandon: ctx.hoursSinceAbandon ?? 0,
    messagesSent: (ctx.messagesSent ?? []).map((m) => ({ channel: m.channel, discountPct: m.discountPct })),
  } as DecisionContext;
}

/**
 * Training examples as lines: grouped by checkout (in the order of their first decision), each in step order
 * (ties by time), the outcome of the checkout's last decision on every line — the one training labels with.
 */
export function exampleLines(examples: readonly TrainingExample[]): ExampleLine[] {
  const bySequence = new Map<string, TrainingExample[]>();
  for (const e of examples) {
    const list = bySequence.get(e.checkoutId);
    if (list) list.push(e);
    else bySequence.set(e.checkoutId, [e]);
  }
  return [...bySequence.entries()].flatMap(([sequenceId, list]) => {
    const ordered = [...list].sort((a, b) => a.ctx.stepIndex - b.ctx.stepIndex || a.decidedAt.getTime() - b.decidedAt.getTime());
    const last = ordered[ordered.length - 1];
    const outcome: Outcome = { recovered: last.recovered };
    if (last.recovered && last.margin !== undefined) outcome.margin = last.margin;
    if (last.recovered && last.discountCost !== undefined) outcome.discountCost = last.discountCost;
    return ordered.map(
      (e): ExampleLine => ({
        sequenceId,
        decidedAt: e.decidedAt.toISOString(),
        ctx: contextOf(e.ctx),
        ...(e.candidates ? { candidates: e.candidates.map(actionOf) } : {}),
        ...(e.rulesAction ? { rulesAction: actionOf(e.rulesAction) } : {}),
        action: actionOf(e.action),
        propensity: e.propensity,
        outcome,
      }),
    );
  });
}
