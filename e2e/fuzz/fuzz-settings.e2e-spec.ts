import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { applyMutations, toJsonText } from './body-mutations';
import { DEFAULT_CASES, DEFAULT_SEED, fuzzEnvFromFlags, fuzzSettingsFromEnv, routeSeed } from './fuzz-settings';
import { deepNesting, RawJson } from './hostile-values';
import { encodeUnit } from './request-mutations';

describe('npm run fuzz flags', () => {
  it('passes --cases, --seed and --route to the suite, in both spellings', () => {
    expect(fuzzEnvFromFlags(['--cases', '500', '--seed=42', '--route', 'POST /v1/events'])).toEqual({ FUZZ_CASES: '500', FUZZ_SEED: '42', FUZZ_ROUTE: 'POST /v1/events' });
    expect(fuzzEnvFromFlags([])).toEqual({});
  });

  it('names the flag that is wrong', () => {
    expect(() => fuzzEnvFromFlags(['--case', '5'])).toThrow(/unknown flag --case/);
    expect(() => fuzzEnvFromFlags(['--cases', '0'])).toThrow(/--cases must be between 1 and/);
    expect(() => fuzzEnvFromFlags(['--cases', '1e3'])).toThrow(/--cases must be an integer, got "1e3"/);
    expect(() => fuzzEnvFromFlags(['--seed'])).toThrow(/--seed needs a value/);
    expect(() => fuzzEnvFromFlags(['--seed', '--cases', '3'])).toThrow(/--seed needs a value/);
    expect(() => fuzzEnvFromFlags(['--route', ' '])).toThrow(/--route needs a route/);
  });

  it('refuses a bad FUZZ_CASES or FUZZ_SEED by name, and defaults to the fixed seed', () => {
    expect(fuzzSettingsFromEnv({})).toEqual({ cases: DEFAULT_CASES, seed: DEFAULT_SEED, route: undefined });
    expect(() => fuzzSettingsFromEnv({ FUZZ_CASES: 'many' })).toThrow(/FUZZ_CASES must be an integer/);
    expect(() => fuzzSettingsFromEnv({ FUZZ_SEED: '99999999999' })).toThrow(/FUZZ_SEED must be between/);
  });

  it('exits 2 naming a bad flag, before starting anything', () => {
    const run = spawnSync(process.execPath, ['-r', '@swc-node/register', 'e2e/fuzz/run.ts', '--cases', '10', '--bogus'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown flag --bogus');
  }, 60_000);

  it('gives each route a seed of its own, the same on every run', () => {
    expect(routeSeed(1, 'POST /v1/events')).toBe(routeSeed(1, 'POST /v1/events'));
    expect(routeSeed(1, 'POST /v1/events')).not.toBe(routeSeed(1, 'POST /v1/batch'));
    expect(routeSeed(1, 'POST /v1/events')).not.toBe(routeSeed(2, 'POST /v1/events'));
  });
});

describe('what the mutations send', () => {
  it('writes raw fragments (1e400, deep nesting) and lone surrogates into the JSON text as a client would', () => {
    const body = applyMutations({ a: { b: 1 }, c: 'x' }, [
      { op: 'replace', path: ['a', 'b'], value: new RawJson('1e400') },
      { op: 'replace', path: ['c'], value: '\ud800' },
      { op: 'add', path: [], key: '__proto__', value: { polluted: 'yes' } },
    ]);
    expect(toJsonText(body)).toBe('{"a":{"b":1e400},"c":"\\ud800","__proto__":{"polluted":"yes"}}');
    expect(toJsonText({ d: deepNesting(3, 'array') })).toBe('{"d":[[[]]]}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('removes fields and leaves the example as it was', () => {
    const example = { a: [1, 2, 3], b: { c: 1 } };
    expect(applyMutations(example, [{ op: 'remove', path: ['a', 1] }, { op: 'remove', path: ['b', 'c'] }])).toEqual({ a: [1, 3], b: {} });
    expect(example).toEqual({ a: [1, 2, 3], b: { c: 1 } });
  });

  it('percent-encodes a lone surrogate as the bytes a broken client sends', () => {
    expect(encodeUnit('a\ud800/')).toBe('a%ED%A0%80%2F');
    expect(encodeUnit('😀')).toBe('%F0%9F%98%80');
  });
});
