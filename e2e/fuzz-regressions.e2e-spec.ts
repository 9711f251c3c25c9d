import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRoute } from '../server/openapi/api-route';
import { API_ROUTES } from '../server/openapi/route-table';
import { answerViolation, changedTables, DatabaseFingerprint } from './fuzz/invariants';
import { type RouteRequest, type RouteRig, startRouteRig } from './support/route-fixtures';

/**
 * Inputs that answered 500 (or broke another fuzz invariant) once, each exactly as it was found, so it can never
 * come back. A new finding of e2e/fuzz.e2e-spec.ts goes here as one more `it` (see docs/fuzzing.md).
 */

let rig: RouteRig;
let fingerprint: DatabaseFingerprint;

beforeAll(async () => {
  rig = await startRouteRig('fuzz_regressions', { ROLE: 'api', REPORT_FOLD_INTERVAL_S: '3600' });
  fingerprint = await DatabaseFingerprint.of(rig.t.pool);
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

const routeOf = (line: string): ApiRoute => {
  const found = API_ROUTES.find((r) => `${r.method} ${r.path}` === line);
  if (!found) throw new Error(`no route ${line} in the table`);
  return found;
};

/** Sends `request` and checks the fuzz invariants: no 5xx, a refusal that says why and stores nothing, /health 200. */
async function sendChecked(line: string, request: RouteRequest) {
  const before = await fingerprint.take();
  const answer = await rig.request(routeOf(line), request);
  const after = await fingerprint.take();
  expect(answerViolation(answer), answer.text.slice(0, 300)).toBeNull();
  if (answer.status >= 400) expect(changedTables(before, after)).toEqual([]);
  expect((await fetch(`${rig.t.url}/health`)).status).toBe(200);
  let body: any = answer.text;
  try {
    body = JSON.parse(answer.text);
  } catch {
    // a page
  }
  return { status: answer.status, body, changed: changedTables(before, after) };
}

const json = (value: unknown) => ({ raw: JSON.stringify(value), contentType: 'application/json' });
const deeplyNested = (depth: number) => `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`;

const EVENT = { event_id: '', type: 'checkout_started', checkout_id: 'chk_fuzz_1', customer: { id: 'cus_fuzz_1' }, cart: { items: [{ sku: 'SKU-1', quantity: 1, unit_price: 10 }], currency: 'USD' } };

describe('found by the probe (issue 16); fixed in body parsing and list queries', () => {
  it('POST /v1/events with properties nested 5,000 levels: 400 naming the path, not a RangeError', async () => {
    const raw = JSON.stringify({ ...EVENT, event_id: randomUUID(), properties: { deep: '$DEEP' } }).replace('"$DEEP"', deeplyNested(5_000));
    const answer = await sendChecked('POST /v1/events', { body: { raw, contentType: 'application/json' } });
    expect(answer.status).toBe(400);
    expect(answer.body.problems[0].path).toMatch(/^properties\.deep/);
  });

  it('POST /v1/track with properties nested 20,000 levels: 400 naming the path', async () => {
    const raw = `{"event":"Checkout Started","messageId":"fuzz-deep-1","userId":"cus_fuzz_1","properties":${deeplyNested(20_000)}}`;
    const answer = await sendChecked('POST /v1/track', { body: { raw, contentType: 'application/json' } });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body.problems)).toContain('properties');
  });

  it('POST /v1/events with a lone surrogate "\\ud800" in a string: 400 naming the path, not a PostgreSQL json error', async () => {
    const answer = await sendChecked('POST /v1/events', { body: json({ ...EVENT, event_id: randomUUID(), cart: { ...EVENT.cart, items: [{ sku: 'SKU-1', name: 'Parka \ud800', quantity: 1, unit_price: 10 }] } }) });
    expect(answer.status).toBe(400);
    expect(answer.body.problems[0].path).toContain('cart.items[0].name');
  });

  it('POST /v1/track with a lone surrogate in properties: 400, nothing stored', async () => {
    const answer = await sendChecked('POST /v1/track', { body: json({ event: 'Checkout Started', messageId: 'fuzz-surrogate-1', userId: 'cus_fuzz_1', properties: { checkout_id: 'chk_fuzz_2', note: '\ud800' } }) });
    expect(answer.status).toBe(400);
  });

  it('GET /admin/api/checkouts?range=[1e20,1e20]: 400 naming range', async () => {
    const answer = await sendChecked('GET /admin/api/checkouts', { query: `range=${encodeURIComponent('[1e20,1e20]')}` });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('range');
  });
});

describe('found by the fuzz suite', () => {
  it('PUT /admin/api/sources/{id} with {} changes nothing and answers 200 (was a 500: an UPDATE without columns)', async () => {
    const id = await rig.sourceId();
    const answer = await sendChecked('PUT /admin/api/sources/{id}', { params: { id }, body: { raw: '{}', contentType: 'application/json' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id, name: 'OpenAPI store' });
  });

  it('PUT /admin/api/sources/{id} with {"enabled":true} on an enabled source answers 200 (was a 500)', async () => {
    const answer = await sendChecked('PUT /admin/api/sources/{id}', { params: { id: await rig.sourceId() }, body: json({ enabled: true }) });
    expect(answer.status).toBe(200);
    expect(answer.body.enabled).toBe(true);
  });

  it('PUT /admin/api/users/{id} with {} and with {"disabled":false} on an enabled user answers 200 (was a 500)', async () => {
    const created = await rig.admin('POST', '/admin/api/users', { email: 'fuzz-regression@example.com', password: 'a long passphrase 42', role: 'analyst' });
    expect(created.status).toBe(201);
    const empty = await sendChecked('PUT /admin/api/users/{id}', { params: { id: created.body.id }, body: { raw: '{}', contentType: 'application/json' } });
    expect(empty.status).toBe(200);
    const same = await sendChecked('PUT /admin/api/users/{id}', { params: { id: created.body.id }, body: json({ disabled: false }) });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ id: created.body.id, role: 'analyst' });
  });

  it('POST /r/push-click/{token} with a changed token: 404 that says why (was an empty 404)', async () => {
    const token = '0yJhY3Rpb24iOiJwdXNoLWNsaWNrIiwibWVzc2FnZUlkIjoiYTAyZDg2YzMtYzEyZC00ZmUxLTgzNjMtNzQ2YWZmNjE5MTUyIn0.eMBx6HaCcybU_htmKmoFiIMrVQf1GR-B';
    const answer = await sendChecked('POST /r/push-click/{token}', { params: { token } });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: 'not_found' });
  });
});
