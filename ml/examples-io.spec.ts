import { describe, expect, it } from 'vitest';
import { ExampleCollector, exampleLines, InputError, numberedLines, parseLine } from './examples-io';
import type { DecisionContext } from './features';
import type { TrainingExample } from './model';
import { decideRequestSchema, economicsSchema, type ExampleLine } from './schema/examples';
import { makeContext } from './test-support';

const email10 = { channel: 'email', discountPct: 10 } as const;
const stop = { channel: 'none', discountPct: 0 } as const;

const line = (overrides: Partial<ExampleLine> & Record<string, unknown> = {}): ExampleLine => ({
  sequenceId: 's1',
  decidedAt: '2026-03-01T10:00:00Z',
  ctx: makeContext(),
  candidates: [stop, email10],
  action: email10,
  propensity: 0.8,
  outcome: { recovered: true, margin: 41.5 },
  ...overrides,
});

function without<T extends object>(value: T, key: keyof T): Partial<T> {
  const copy: Partial<T> = { ...value };
  delete copy[key];
  return copy;
}

/** The collector fed text lines numbered from 1; its examples, or the problems it threw. */
function collect(lines: (ExampleLine | string | Partial<ExampleLine>)[]): TrainingExample[] | string[] {
  const collector = new ExampleCollector();
  lines.forEach((l, i) => collector.addText(typeof l === 'string' ? l : JSON.stringify(l), i + 1));
  try {
    return collector.finish().examples;
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
}

describe('logged decisions as JSON Lines', () => {
  it('maps a sequence onto training examples: checkoutId, its outcome on every decision, the margin only when recovered', () => {
    const second = line({ decidedAt: '2026-03-02T10:00:00+01:00', ctx: makeContext({ stepIndex: 1, messagesSent: [{ channel: 'email', discountPct: 10 }] }), candidates: undefined, action: stop, propensity: 1, outcome: undefined });
    const lost = line({ sequenceId: 's2', outcome: { recovered: false } });
    const examples = collect([line(), second, lost]) as TrainingExample[];
    expect(examples).toEqual([
      { ctx: makeContext(), action: email10, propensity: 0.8, recovered: true, margin: 41.5, decidedAt: new Date('2026-03-01T10:00:00Z'), checkoutId: 's1', candidates: [stop, email10] },
      { ctx: second.ctx, action: stop, propensity: 1, recovered: true, margin: 41.5, decidedAt: new Date('2026-03-02T09:00:00Z'), checkoutId: 's1' },
      { ctx: makeContext(), action: email10, propensity: 0.8, recovered: false, decidedAt: new Date('2026-03-01T10:00:00Z'), checkoutId: 's2', candidates: [stop, email10] },
    ]);
  });

  it('names the line and the field of every problem', () => {
    const problems = collect([
      line(),
      line({ ctx: { ...makeContext(), cartValue: 'a lot' } as never }),
      '{"sequenceId": "s3", oops}',
      line({ ctx: { ...makeContext(), device: 'fridge' } as never, propensity: 0 }),
      line({ action: { channel: 'fax', discountPct: 10 } as never, colour: 'red' }),
      line({ candidates: [stop], action: email10 }),
      without(line({ sequenceId: 's7' }), 'decidedAt'),
      line({ sequenceId: 's8', decidedAt: 'yesterday' }),
      line({ sequenceId: 's9', ctx: { ...makeContext(), engagement: { ...makeContext().engagement, sms: { sent: 1.5, opened: 0, clicked: 0 } } } }),
      '[1, 2]',
      line({ sequenceId: 's11', outcome: { recovered: false, margin: 3 } }),
    ]);
    expect(problems).toEqual([
      'line 2: ctx.cartValue: must be a number',
      expect.stringMatching(/^line 3: not valid JSON \(/),
      'line 4: ctx.device: must be one of "mobile", "desktop", "tablet", "unknown"',
      'line 4: propensity: must be greater than 0',
      'line 5: action.channel: must be one of "none", "email", "push", "sms"',
      'line 5: colour: unknown field',
      'line 6: action: must be one of candidates',
      'line 7: decidedAt: is required',
      'line 8: decidedAt: must be an ISO 8601 date-time with an offset, such as 2026-03-01T10:00:00Z',
      'line 9: ctx.engagement.sms.sent: must be a whole number',
      'line 10: must be a JSON object',
      'line 11: outcome.margin: only a recovered checkout has a margin',
    ]);
  });

  it('requires the outcomes of a sequence to agree, naming both lines, and at least one line to carry it', () => {
    const problems = collect([line(), line({ sequenceId: 'other', outcome: undefined }), line({ ctx: makeContext({ stepIndex: 1 }), outcome: { recovered: false } })]);
    expect(problems).toEqual([
      `line 3: outcome: {"recovered":false} disagrees with line 1's {"recovered":true,"margin":41.5} for sequence "s1"`,
      'line 2: outcome: sequence "other" has no outcome on any of its lines',
    ]);
    // The same recovery with a different margin disagrees too.
    expect(collect([line(), line({ ctx: makeContext({ stepIndex: 1 }), outcome: { recovered: true, margin: 40 } })])).toEqual([
      `line 2: outcome: {"recovered":true,"margin":40} disagrees with line 1's {"recovered":true,"margin":41.5} for sequence "s1"`,
    ]);
  });

  it("requires a sequence's lines in step order (a step may repeat: a waterfall's fallback)", () => {
    const at = (stepIndex: number) => line({ ctx: makeContext({ stepIndex }) });
    expect(collect([at(0), at(1), at(1), at(2)])).toHaveLength(4);
    expect(collect([at(0), at(2), at(1)])).toEqual([`line 3: ctx.stepIndex: step 1 comes after step 2 (line 2) of sequence "s1"; a sequence's lines must be in step order`]);
  });

  it('refuses an empty input, and stops collecting after the most problems asked for', () => {
    expect(collect([])).toEqual(['no examples: the input is empty']);
    const collector = new ExampleCollector(3);
    for (let i = 1; i <= 10 && !collector.full; i++) collector.addText('nope', i);
    expect(() => collector.finish()).toThrow(InputError);
    expect(collector.full).toBe(true);
  });

  it('numbers lines as the file does, skipping blank ones, a BOM and carriage returns', async () => {
    async function* lines() {
      yield '\uFEFF{"a":1}\r';
      yield '';
      yield '   ';
      yield '{"b":2}';
    }
    const seen: { line: number; text: string }[] = [];
    for await (const l of numberedLines(lines())) seen.push(l);
    expect(seen).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"b":2}' },
    ]);
  });

  it('writes training examples as lines that read back as the same examples (ml:export → ml:train)', () => {
    const legacy = { ...without(makeContext({ stepIndex: 1 }), 'hoursSinceAbandon'), extra: 'stored with the decision' } as unknown as DecisionContext;
    const examples: TrainingExample[] = [
      { ctx: makeContext({ stepIndex: 0 }), action: email10, propensity: 0.81, recovered: true, margin: 30, discountCost: 10, decidedAt: new Date('2026-03-01T10:00:00Z'), checkoutId: 'a', candidates: [stop, email10] },
      { ctx: makeContext(), action: stop, propensity: 0.1, recovered: false, decidedAt: new Date('2026-03-01T11:00:00Z'), checkoutId: 'b' },
      // Out of step order in the input (sorted by time across checkouts), and a context logged before v2.
      { ctx: legacy, action: stop, propensity: 0.5, recovered: true, margin: 30, discountCost: 10, decidedAt: new Date('2026-03-02T10:00:00Z'), checkoutId: 'a', candidates: [stop, email10] },
    ];
    const lines = exampleLines(examples);
    expect(lines.map((l) => [l.sequenceId, l.ctx.stepIndex])).toEqual([
      ['a', 0],
      ['a', 1],
      ['b', 0],
    ]);
    expect(lines[0].outcome).toEqual({ recovered: true, margin: 30, discountCost: 10 });
    expect(lines[1].ctx).toEqual(makeContext({ stepIndex: 1, hoursSinceAbandon: 0 }));
    const back = collect(lines) as TrainingExample[];
    expect(back).toEqual([examples[0], { ...examples[2], ctx: makeContext({ stepIndex: 1 }) }, examples[1]]);
  });
});

describe('the other line types', () => {
  it('checks ml:decide requests and the economics file with the same wording', () => {
    expect(parseLine(decideRequestSchema, JSON.stringify({ id: 7, ctx: makeContext(), candidates: [email10] }), 1)).toMatchObject({ ok: true, value: { id: 7 } });
    expect(parseLine(decideRequestSchema, JSON.stringify({ id: '', ctx: { ...makeContext(), stage: undefined }, candidates: [] }), 4)).toEqual({
      ok: false,
      problems: ['line 4: id: must not be empty', 'line 4: ctx.stage: is required', 'line 4: candidates: must have at least 1 item'],
    });
    expect(economicsSchema.safeParse({ marginRate: 0.5, messageCost: { email: 0.002, push: 0.0005, sms: 0.0125 } }).success).toBe(true);
    expect(economicsSchema.safeParse({ marginRate: 1.5, messageCost: { email: 0.002, push: 0.0005 } }).success).toBe(false);
    expect(parseLine(decideRequestSchema, JSON.stringify({ id: true, ctx: makeContext(), candidates: [email10] }), 2)).toEqual({ ok: false, problems: ['line 2: id: must be a non-empty string or a number'] });
  });
});
