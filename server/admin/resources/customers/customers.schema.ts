import { z } from 'zod';
import { CONSENT_CHANNELS } from '../../../../models/customers';

export const CUSTOMER_LIST = {
  filters: ['q'] as const,
  sortable: ['lastSeenAt', 'firstSeenAt', 'lifetimeValue', 'ordersCount', 'email'] as const,
  defaultSort: { field: 'lastSeenAt' as const, order: 'DESC' as const },
};

export const optOutSchema = z.strictObject({ channel: z.enum(CONSENT_CHANNELS, `must be one of ${CONSENT_CHANNELS.join(', ')}`) }, 'must be a JSON object');
