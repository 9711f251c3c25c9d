import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRoute } from '../server/openapi/api-route';
import { API_ROUTES } from '../server/openapi/route-table';
import { caseArbitrary, type FuzzCase, sentinelCases, toRouteRequest } from './fuzz/fuzz-cases';
import { fuzzSettingsFromEnv, routeSeed } from './fuzz/fuzz-settings';
import { answerViolation, changedTables, DatabaseFingerprint, pollutedPrototype } from './fuzz/invariants';
import { baseRequest } from './fuzz/route-params';
import { type MapboxPeer, startMapboxPeer } from './peers/mapbox-peer';
import { type RouteRig, startRouteRig } from './support/route-fixtures';

/**
 * Every route of the OpenAPI route table (so a new route is fuzzed without a line here), each with its documented
 * example mutated, garbage bodies, and mutated path parameters, query strings and headers. After each case: no
 * 5xx, a refusal that names a path or a reason, nothing stored by a refusal, no polluted prototype; after each
 * route: /health answers 200. See docs/fuzzing.md; `npm run fuzz -- --cases N` runs longer.
 */

const settings = fuzzSettingsFromEnv();
const routeKey = (r: ApiRoute) => `${r.method} ${r.path}`;
const routes = API_ROUTES.filter((r) => !settings.route || routeKey(r).includes(settings.route));

/**
 * Refusals that legitimately record something, by route and status, with the tables they may write. Everything
 * else refused (4xx) must leave every table as it was.
 */
const RECORDED_REFUSALS: Record<string, { statuses: number[]; tables: string[]; why: string }> = {
  'POST /v1/checkouts/{id}/complete': { statuses: [402, 409, 422], tables: ['idempotency_keys'], why: 'the first answer to an Idempotency-Key is kept, refusals included, so a retry gets the same one' },
  'POST /c/{token}/complete': { statuses: [402, 409, 422], tables: ['idempotency_keys'], why: 'the same, for the pay button of the one-click page' },
};

let rig: RouteRig;
let mapbox: MapboxPeer;
let fingerprint: DatabaseFingerprint;

beforeAll(async () => {
  // An address provider, so that the address routes answer from their own code rather than 501 "not configured".
  mapbox = await startMapboxPeer({ accessToken: 'pk.fuzz-suite-token' });
  // ROLE=api: no worker or scheduler writing between the fingerprints taken around each case.
  rig = await startRouteRig('fuzz', { ROLE: 'api', REPORT_FOLD_INTERVAL_S: '3600', ADDRESS_PROVIDER: 'mapbox', MAPBOX_ACCESS_TOKEN: 'pk.fuzz-suite-token', MAPBOX_API_BASE: mapbox.url });
  fingerprint = await DatabaseFingerprint.of(rig.t.pool);
}, 60_000);

/** Statuses answered per route: `npm run fuzz` prints them, to show which cases got past validation. */
const statuses = new Map<string, Map<number, number>>();

afterAll(async () => {
  if (process.env.FUZZ_REPORT) {
    const lines = [...statuses].map(([key, counts]) => `${key.padEnd(58)} ${[...counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ')}`);
    console.log(`statuses per route (seed ${settings.seed}, ${settings.cases} cases each):\n${lines.join('\n')}`);
  }
  await rig?.close();
  await mapbox?.close();
});

const describeCase = (c: FuzzCase) =>
  JSON.stringify(c, (_k, v: unknown) => (v instanceof Uint8Array ? { bytes: Buffer.from(v).toString('base64') } : typeof v === 'string' && v.length > 300 ? `${v.slice(0, 300)}… (${v.length} chars)` : v));

describe(`fuzz: every route of the table (${settings.cases} cases each, seed ${settings.seed})`, () => {
  it('covers the route table', () => {
    expect(routes.length, `no route matches FUZZ_ROUTE=${settings.route}`).toBeGreaterThan(0);
  });

  it.each(routes.map((r) => [routeKey(r), r] as const))(
    '%s',
    async (key, route) => {
      const base = await baseRequest(rig, route);
      const recorded = RECORDED_REFUSALS[key];
      const property = fc.asyncProperty(caseArbitrary(route, base), async (c) => {
        const before = await fingerprint.take();
        const answer = await rig.request(route, toRouteRequest(c));
        const counts = statuses.get(key) ?? new Map<number, number>();
        statuses.set(key, counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1));
        const after = await fingerprint.take();
        const problems: string[] = [];
        const violation = answerViolation(answer);
        if (violation) problems.push(violation);
        if (answer.status >= 400 && answer.status < 500) {
          const allowed = recorded?.statuses.includes(answer.status) ? recorded.tables : [];
          const changed = changedTables(before, after).filter((table) => !allowed.includes(table.split(' ')[0]));
          if (changed.length) problems.push(`a refused request (${answer.status}) changed ${changed.join(', ')}`);
        }
        const polluted = pollutedPrototype();
        if (polluted) problems.push(polluted);
        if (problems.length) {
          const replay = `npm run fuzz -- --seed ${settings.seed} --cases ${settings.cases} --route "${key}"`;
          throw new Error(`${key}: ${problems.join('; ')}\nanswer: ${answer.text.slice(0, 400)}\ncase: ${describeCase(c)}\nreplay: ${replay}`);
        }
      });
      await fc.assert(property, { seed: routeSeed(settings.seed, key), numRuns: settings.cases, examples: sentinelCases(route, base).map((c) => [c] as [FuzzCase]) });
      const health = await fetch(`${rig.t.url}/health`);
      expect(health.status, `after fuzzing ${key}: ${await health.text()}`).toBe(200);
    },
    30_000 + settings.cases * 1_500,
  );
});
