import { describe, expect, it } from 'vitest';
import type { Action } from './features';
import { ensureTfBackend } from './backend';
import { inversePropensityWeights, loadRecoveryModel, prepareTraining, sequencePropensities, terminalExamples, trainRecoveryModel, type TrainingExample } from './model';
import { createRandom } from './random';
import { makeContext } from './test-support';

const email: Action = { channel: 'email', discountPct: 0 };
const sms: Action = { channel: 'sms', discountPct: 0 };

/** One-message sequences: SMS recovers 45%, email 15%; the logger sent email three times out of four. */
function examples(n: number): TrainingExample[] {
  const random = createRandom(3);
  return Array.from({ length: n }, (_, i) => {
    const action = random() < 0.25 ? sms : email;
    return {
      ctx: makeContext({ cartValue: 40 + 100 * random(), localHour: Math.floor(24 * random()) }),
      action,
      propensity: action === sms ? 0.25 : 0.75,
      recovered: random() < (action === sms ? 0.45 : 0.15),
      decidedAt: new Date(i),
      checkoutId: `c${i}`,
    };
  });
}

describe('the recovery model', () => {
  it('learns which action recovers more, and reloads from JSON to the same predictions', async () => {
    const progress: number[] = [];
    const model = await trainRecoveryModel(examples(4000), { epochs: 6, seed: 5, onProgress: (p) => progress.push(p) });
    const ctx = makeContext();
    const [pEmail, pSms] = model.predict([
      { ctx, action: email },
      { ctx, action: sms },
    ]);
    expect(pSms - pEmail).toBeGreaterThan(0.15);
    expect(pEmail).toBeGreaterThan(0.05);
    expect(pEmail).toBeLessThan(0.3);
    expect(progress.at(-1)).toBe(100);

    const serialized = JSON.parse(JSON.stringify(model.serialize()));
    const reloaded = await loadRecoveryModel(serialized);
    const again = reloaded.predict([
      { ctx, action: email },
      { ctx, action: sms },
    ]);
    expect(again[0]).toBeCloseTo(pEmail, 6);
    expect(again[1]).toBeCloseTo(pSms, 6);
    model.dispose();
    reloaded.dispose();
  });

  it('refuses weights encoded for another feature schema', async () => {
    const model = await trainRecoveryModel(examples(300), { epochs: 1 });
    await expect(loadRecoveryModel({ ...model.serialize(), featureSchemaVersion: 999 })).rejects.toThrow(/schema v999/);
    model.dispose();
  });

  it('trains on the last logged decision of each checkout', () => {
    const base = examples(1)[0];
    const picked = terminalExamples([
      { ...base, ctx: makeContext({ stepIndex: 0 }) },
      { ...base, ctx: makeContext({ stepIndex: 2 }), action: sms },
      { ...base, ctx: makeContext({ stepIndex: 1 }) },
    ]);
    expect(picked).toHaveLength(1);
    expect(picked[0].ctx.stepIndex).toBe(2);
  });

  it('takes the later of two decisions at one step (a waterfall fallback) as the last', () => {
    const base = examples(1)[0];
    const picked = terminalExamples([
      { ...base, ctx: makeContext({ stepIndex: 1 }), decidedAt: new Date(2000), action: sms },
      { ...base, ctx: makeContext({ stepIndex: 1 }), decidedAt: new Date(1000), action: email },
    ]);
    expect(picked.map((e) => e.action)).toEqual([sms]);
  });

  it("weights each checkout by the inverse of its whole sequence's probability: the product of its decisions' propensities", async () => {
    await ensureTfBackend();
    const step = (checkoutId: string, stepIndex: number, propensity: number): TrainingExample => ({
      ctx: makeContext({ stepIndex }),
      action: email,
      propensity,
      recovered: stepIndex === 1,
      decidedAt: new Date(stepIndex),
      checkoutId,
    });
    const log = [step('a', 0, 0.5), step('b', 0, 0.25), step('a', 1, 0.5), step('c', 0, 0.5), step('c', 1, 0.2)];
    expect([...sequencePropensities(log)]).toEqual([
      ['a', 0.25],
      ['b', 0.25],
      ['c', 0.1],
    ]);
    const data = prepareTraining(log);
    try {
      // 1/Π = 4, 4, 10; self-normalised to mean 1 (not 1/last propensity: 2, 4, 5).
      const weights = Array.from(data.weight.dataSync());
      expect(data.rows).toBe(3);
      [2 / 3, 2 / 3, 5 / 3].forEach((w, i) => expect(weights[i]).toBeCloseTo(w, 6));
      expect(Array.from(data.label.dataSync())).toEqual([1, 0, 1]);
    } finally {
      data.x.dispose();
      data.label.dispose();
      data.weight.dispose();
    }
  });

  it('weights by inverse propensity, normalised to mean 1 and capped', () => {
    const w = inversePropensityWeights([0.5, 0.1], 10);
    expect(w[0]).toBeCloseTo(1 / 3, 12);
    expect(w[1]).toBeCloseTo(5 / 3, 12);
    const capped = inversePropensityWeights([1, 1, 1, 0.001], 2);
    // uncapped, the rare action would weigh 1000× the others; capped at 2× the mean (250.75) it weighs 501.5×
    expect(capped[3] / capped[0]).toBeCloseTo(501.5, 6);
    expect(capped.reduce((a, b) => a + b, 0) / capped.length).toBeCloseTo(1, 12);
  });
});
