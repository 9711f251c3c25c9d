import type { z } from 'zod';

/** How a route authenticates its caller; each name is a security scheme of the document. */
export type ApiSecurity = 'writeKey' | 'shopifyWebhook' | 'serverKey' | 'console' | 'twilioSignature' | 'signedLink' | 'none';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A response: its description, and the zod schema of its JSON body when it has one. */
export interface ApiResponse {
  description: string;
  /** `application/json` unless said otherwise (HTML pages, scripts, CSV, TwiML). */
  contentType?: string;
  schema?: z.ZodType;
}

/** A documented example request: what a caller sends, and the status the route answers it with. */
export interface ApiExample {
  summary: string;
  /** The body as sent (an object for JSON, a record of strings for forms). */
  value: unknown;
  /** @defaultValue the route's success status */
  status?: number;
}

/** One HTTP route of the server, as the OpenAPI document shows it. */
export interface ApiRoute {
  method: HttpMethod;
  /** OpenAPI form: `/v1/checkouts/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  security: ApiSecurity;
  /** The zod schema the route validates its body with. */
  body?: z.ZodType;
  /** @defaultValue 'application/json' */
  bodyContentType?: string;
  /** Query parameters (one zod object; each property is one parameter). */
  query?: z.ZodObject;
  /** Headers the route reads besides authentication. */
  headers?: Record<string, { description: string; required?: boolean }>;
  /** Descriptions of path parameters; every `{name}` of the path is one. */
  params?: Record<string, string>;
  /** Success responses by status. */
  responses: Record<number, ApiResponse>;
  /** Error statuses the route answers besides authentication's (added from `security`). */
  errors?: number[];
  examples?: ApiExample[];
  /** Serves a file tree or a client-side app under this path (`/admin/*`). */
  wildcard?: boolean;
}

/** `route('POST /v1/events', {...})`: one line per route in the tables. */
export function route(line: `${HttpMethod} /${string}`, spec: Omit<ApiRoute, 'method' | 'path'>): ApiRoute {
  const [method, path] = line.split(' ') as [HttpMethod, string];
  return { method, path, ...spec };
}

/** The Fastify form of an OpenAPI path: `/v1/checkouts/{id}` → `/v1/checkouts/:id`. */
export function fastifyPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}
