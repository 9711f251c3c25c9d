import { type ApiRoute, route } from '../api-route';

export const operationsRoutes: ApiRoute[] = [
  route('GET /health', {
    tag: 'Operations',
    summary: 'Liveness and readiness: database, Redis, and whether the process is shutting down',
    security: 'none',
    responses: { 200: { description: 'Everything is up (Terminus format).' } },
    errors: [503],
  }),
  route('GET /metrics', { tag: 'Operations', summary: 'Prometheus metrics', security: 'none', responses: { 200: { description: 'The text exposition format.', contentType: 'text/plain; version=0.0.4; charset=utf-8' } } }),
  route('GET /openapi.json', { tag: 'Operations', summary: 'This document (OpenAPI 3.1)', security: 'none', responses: { 200: { description: 'The OpenAPI document.' } } }),
  route('GET /docs', { tag: 'Operations', summary: 'The API reference page (Swagger UI, served with its assets under /docs/, no CDN)', security: 'none', responses: { 200: { description: 'The reference page.', contentType: 'text/html; charset=utf-8' } }, wildcard: true }),
  route('GET /admin', {
    tag: 'Operations',
    summary: 'The react-admin console',
    description: 'Its built files, and the page for every client-side route under /admin (except /admin/api/*, which is the API\'s).',
    security: 'none',
    responses: { 200: { description: 'The console.', contentType: 'text/html; charset=utf-8' } },
    errors: [503],
    wildcard: true,
  }),
];
