/**
 * How many cases, from which seed, for which routes. `npm test` uses the defaults (fixed seed, a bounded number
 * of cases per route); `npm run fuzz -- --cases N --seed S --route TEXT` passes its flags to the suite as
 * FUZZ_CASES, FUZZ_SEED and FUZZ_ROUTE.
 */

export interface FuzzSettings {
  /** Cases per route. */
  cases: number;
  seed: number;
  /** Only the routes whose `METHOD /path` contains this. */
  route?: string;
}

export const DEFAULT_CASES = 10;
export const DEFAULT_SEED = 20261126;
export const MAX_CASES = 1_000_000;

export class FuzzSettingsError extends Error {}

const integer = (name: string, text: string, min: number, max: number): number => {
  if (!/^-?\d+$/.test(text.trim())) throw new FuzzSettingsError(`${name} must be an integer, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new FuzzSettingsError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
};

const cases = (name: string, text: string) => integer(name, text, 1, MAX_CASES);
const seed = (name: string, text: string) => integer(name, text, -(2 ** 31), 2 ** 31 - 1);

export function fuzzSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  return {
    cases: env.FUZZ_CASES === undefined ? DEFAULT_CASES : cases('FUZZ_CASES', env.FUZZ_CASES),
    seed: env.FUZZ_SEED === undefined ? DEFAULT_SEED : seed('FUZZ_SEED', env.FUZZ_SEED),
    route: env.FUZZ_ROUTE || undefined,
  };
}

export const USAGE = 'usage: npm run fuzz -- [--cases N] [--seed S] [--route "POST /v1/events"]';

/** The flags of `npm run fuzz`, as the environment of the suite. */
export function fuzzEnvFromFlags(argv: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  const flags: Record<string, { name: string; check: (flag: string, text: string) => unknown }> = {
    '--cases': { name: 'FUZZ_CASES', check: cases },
    '--seed': { name: 'FUZZ_SEED', check: seed },
    '--route': { name: 'FUZZ_ROUTE', check: (flag, text) => text.trim() || fail(`${flag} needs a route such as "POST /v1/events"`) },
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const known = flags[flag];
    if (!known) throw new FuzzSettingsError(`unknown flag ${argv[i]}; ${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new FuzzSettingsError(`${flag} needs a value; ${USAGE}`);
    known.check(flag, value);
    env[known.name] = value.trim();
  }
  return env;
}

const fail = (message: string): never => {
  throw new FuzzSettingsError(message);
};

/** A seed of its own per route, so that adding a route leaves every other route's cases as they were. */
export function routeSeed(seed: number, routeKey: string): number {
  let hash = seed | 0;
  for (let i = 0; i < routeKey.length; i++) hash = Math.imul(hash ^ routeKey.charCodeAt(i), 0x01000193);
  return hash | 0;
}
