import type { FastifyInstance } from 'fastify';
import { type ApiRoute, fastifyPath } from './api-route';

export interface RegisteredRoute {
  method: string;
  url: string;
}

const recorded = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/**
 * Remembers every route registered on `fastify` from now on (Nest's controllers, plugins' routes). Installed
 * before the application registers its routes, so that undocumented ones can be found.
 */
export function recordRoutes(fastify: FastifyInstance): void {
  const routes: RegisteredRoute[] = [];
  recorded.set(fastify, routes);
  fastify.addHook('onRoute', (options) => {
    for (const method of [options.method].flat()) routes.push({ method: String(method).toUpperCase(), url: options.url });
  });
}

export function registeredRoutes(fastify: FastifyInstance): RegisteredRoute[] {
  return recorded.get(fastify) ?? [];
}

/** Whether `route` documents `registered`: same method and path, or a wildcard route's subtree. */
export function documents(route: ApiRoute, registered: RegisteredRoute): boolean {
  const method = registered.method === 'HEAD' ? 'GET' : registered.method;
  if (route.method !== method) return false;
  const path = fastifyPath(route.path);
  const url = registered.url.replace(/\/$/, '') || '/';
  return url === path || (!!route.wildcard && url.startsWith(`${path}/`));
}

/** The registered routes no entry of `table` documents (HEAD counts as its GET; CORS preflights are hooks, not routes). */
export function undocumentedRoutes(fastify: FastifyInstance, table: readonly ApiRoute[]): RegisteredRoute[] {
  return registeredRoutes(fastify).filter((registered) => !table.some((route) => documents(route, registered)));
}
