import { z } from 'zod';
import { defaultCurrency, newSourceSchema, origin } from '../../../sources/source-input';

export const SOURCE_READ_ONLY = ['id', 'writeKey', 'writeKeyPrefix', 'hasShopifySecret', 'createdAt', 'disabledAt'] as const;

export const SOURCE_LIST = {
  filters: ['q', 'enabled'] as const,
  sortable: ['createdAt', 'name'] as const,
  defaultSort: { field: 'createdAt' as const, order: 'ASC' as const },
};

export const sourceCreateSchema = z.strictObject(newSourceSchema.shape, 'must be a JSON object');

export const sourceUpdateSchema = z.strictObject(
  {
    name: newSourceSchema.shape.name.optional(),
    allowedOrigins: z.array(origin, 'must be a list of origins').max(50, 'at most 50 origins').optional(),
    shopifySecret: z.string('must be a string (or null to remove it)').min(8, 'must be at least 8 characters').max(500).nullable().optional(),
    requireEmailOptIn: z.boolean('must be true or false').optional(),
    defaultCurrency: defaultCurrency.optional(),
    enabled: z.boolean('must be true or false').optional(),
  },
  'must be a JSON object',
);
