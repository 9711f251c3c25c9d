import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../database/project-root';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document';
import { API_ROUTES } from './route-table';

let built: OpenApiDocument | undefined;

/** The document, built once per process from the route table. */
export function openApiDocument(): OpenApiDocument {
  const { version } = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  return (built ??= buildOpenApiDocument(API_ROUTES, { version }));
}

/**
 * `GET /openapi.json` and the reference page at `/docs` (Swagger UI with its own files, so it works offline),
 * both without authentication. Called before `app.init()`, so the routes exist when the server listens.
 */
export async function installApiDocs(app: NestFastifyApplication): Promise<void> {
  const document = openApiDocument();
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.get('/openapi.json', (_request, reply) => {
    void reply.header('Cache-Control', 'no-cache').header('Access-Control-Allow-Origin', '*').send(document);
  });
  // Static mode: @fastify/swagger serves our document as it is, it does not derive one from Fastify's routes.
  await app.register(fastifySwagger as never, { mode: 'static', specification: { document } });
  await app.register(fastifySwaggerUi as never, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
    // No "valid" badge fetched from swagger.io.
    validatorUrl: null,
  });
}
