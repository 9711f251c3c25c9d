import { randomUUID } from 'node:crypto';
import type { ApiRoute } from '../../server/openapi/api-route';
import { API_ROUTES } from '../../server/openapi/route-table';
import { EXAMPLE_CUSTOMER_ID } from '../../server/openapi/routes/storefront-routes';
import type { Prepared, RouteRig } from '../support/route-fixtures';

/**
 * Real values for a route's path parameters, so that mutations start from a request that reaches the route's own
 * code (a real checkout, a signed token) rather than stopping at "not found". The documented example's
 * preparation comes first; then the parameters below; then the first record the route's list answers; then a
 * fresh UUID (which a new route gets until it is listed here).
 */

const last = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/** By the path up to and including the parameter. */
const KNOWN: Record<string, (rig: RouteRig) => Promise<string>> = {
  '/v1/checkouts/{id}': async (rig) => (await rig.exampleCheckout()).publicId,
  '/v1/customers/{customerId}': async () => EXAMPLE_CUSTOMER_ID,
  '/c/{token}': (rig) => rig.landingToken(),
  '/r/open/{token}': async (rig) => last(rig.links().open(randomUUID())),
  '/r/click/{token}': async (rig) => last(rig.links().click(randomUUID(), `${rig.t.config.publicUrl}/`)),
  '/r/s/{token}': async (rig) => last(rig.links().short(randomUUID())),
  '/r/push-click/{token}': async (rig) => last(rig.links().url({ action: 'push-click', messageId: randomUUID() })),
  '/r/unsubscribe/{token}': async (rig) => last(rig.links().unsubscribe(randomUUID(), 'email')),
  '/admin/api/campaigns/{id}/steps/{stepIndex}': async () => '0',
};

export interface BaseRequest {
  params: Record<string, string>;
  headers: Record<string, string>;
}

export async function baseRequest(rig: RouteRig, route: ApiRoute): Promise<BaseRequest> {
  const prepared: Prepared = await rig.prepare(route);
  const params: Record<string, string> = {};
  for (const match of route.path.matchAll(/\{([^}]+)\}/g)) {
    const name = match[1];
    if (prepared.params?.[name]) {
      params[name] = prepared.params[name];
      continue;
    }
    const upTo = route.path.slice(0, match.index + match[0].length);
    params[name] = (await KNOWN[upTo]?.(rig)) ?? (await firstListed(rig, route, upTo.slice(0, match.index - 1), params)) ?? randomUUID();
  }
  return { params, headers: prepared.headers ?? {} };
}

/** The id of the first record of the list route at `listPath` (its parameters filled), if it lists any. */
async function firstListed(rig: RouteRig, route: ApiRoute, listPath: string, params: Record<string, string>): Promise<string | undefined> {
  const list = API_ROUTES.find((r) => r.method === 'GET' && r.path === listPath);
  if (!list) return undefined;
  const path = listPath.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));
  const answer = route.security === 'serverKey' ? await rig.storefront('GET', path) : await rig.admin('GET', path);
  const rows: unknown = Array.isArray(answer.body) ? answer.body : answer.body?.data;
  const first = Array.isArray(rows) ? (rows[0] as { id?: unknown; key?: unknown } | undefined) : undefined;
  const id = first?.id ?? first?.key;
  return typeof id === 'string' ? id : undefined;
}
