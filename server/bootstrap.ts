import 'reflect-metadata';
import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { installAdminWriteChecks } from './admin/auth/admin-request-origin';
import { AppModule, AppOptions } from './app.module';
import { AppConfig, servesHttpApi } from './config/app-config';
import { installBodyParsing } from './http/body-parsing';
import { InFlightRequests } from './http/graceful-shutdown';
import { AllErrorsFilter } from './http/error-responses';
import { installRequestTelemetry } from './http/request-telemetry';
import { installIngestionCors } from './ingestion/cors';
import { MAX_REQUEST_BYTES } from './ingestion/limits';
import { Logger, PinoNestLogger } from './logging/logger';
import { installIngestRejectionMetrics } from './metrics/ingest-rejections';
import { MetricsService } from './metrics/metrics.service';
import { installApiDocs } from './openapi/api-docs';
import { recordRoutes, undocumentedRoutes } from './openapi/registered-routes';
import { API_ROUTES } from './openapi/route-table';
import { SourcesService } from './sources/sources.service';

/** Builds the application for the configured role, ready to `listen`. */
export async function createApp(config: AppConfig, logger: Logger, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_REQUEST_BYTES,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Off unless TRUST_PROXY says whom to believe: X-Forwarded-For from anyone else is the client's own claim.
    trustProxy: config.trustProxy,
    // Signed tracking links carry their claims in the path.
    routerOptions: { maxParamLength: 4096 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  recordRoutes(fastify);
  await app.register(fastifyCookie as never);
  app.get(InFlightRequests).install(fastify);
  installBodyParsing(fastify);
  installAdminWriteChecks(fastify, config.publicUrl);
  installRequestTelemetry(fastify, app.get(MetricsService), logger);
  installIngestRejectionMetrics(fastify, app.get(MetricsService));
  if (servesHttpApi(config.role)) installIngestionCors(fastify, app.get(SourcesService));
  app.useGlobalFilters(new AllErrorsFilter());
  if (servesHttpApi(config.role)) await installApiDocs(app);
  await app.init();
  const undocumented = undocumentedRoutes(fastify, API_ROUTES);
  if (servesHttpApi(config.role) && undocumented.length > 0) {
    logger.warn({ routes: undocumented.map((r) => `${r.method} ${r.url}`) }, 'routes missing from the OpenAPI document (server/openapi/route-table.ts)');
  }
  return app;
}
