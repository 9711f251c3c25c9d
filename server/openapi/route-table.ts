import type { ApiRoute } from './api-route';
import { adminRoutes } from './routes/admin-routes';
import { ingestionRoutes } from './routes/ingestion-routes';
import { messageRoutes } from './routes/message-routes';
import { operationsRoutes } from './routes/operations-routes';
import { segmentRoutes } from './routes/segment-routes';
import { storefrontRoutes } from './routes/storefront-routes';

/**
 * Every HTTP route the server registers, in the order the document lists them. A new route is one `route(...)`
 * line in the table of its area; e2e/openapi.e2e-spec.ts fails while a registered route is missing here.
 */
export const API_ROUTES: readonly ApiRoute[] = [...ingestionRoutes, ...segmentRoutes, ...storefrontRoutes, ...messageRoutes, ...adminRoutes, ...operationsRoutes];
