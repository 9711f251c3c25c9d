import { z } from 'zod';
import { isValidTimeZone } from '../../../../campaigns/local-time';

/** Fields the API returns that a `PUT` may carry back and that are ignored. */
export const CAMPAIGN_READ_ONLY = ['id', 'status', 'createdAt', 'updatedAt', 'last7Days'] as const;

export const CAMPAIGN_LIST = {
  filters: ['q', 'status'] as const,
  sortable: ['name', 'priority', 'status', 'createdAt', 'updatedAt'] as const,
  defaultSort: { field: 'priority' as const, order: 'ASC' as const },
};

const STAGES = ['cart', 'started', 'contact', 'shipping', 'payment', 'completed'] as const;
const CHANNELS = ['email', 'push', 'sms'] as const;

/** The preview's shopper; the campaign draft itself is checked by `parseCampaignInput`. */
export const previewShopperSchema = z.strictObject(
  {
    campaign: z.unknown(),
    abandonedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with its offset, e.g. 2026-11-26T14:00:00Z' }),
    timezone: z.string('must be an IANA time zone').refine((zone) => isValidTimeZone(zone), 'must be an IANA time zone, e.g. Europe/Paris'),
    channels: z.array(z.enum(CHANNELS, `must be one of ${CHANNELS.join(', ')}`), 'must be a list of channels').max(3),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number, e.g. +14155550100').nullable().optional(),
    lastEngagedChannel: z.enum(CHANNELS, `must be one of ${CHANNELS.join(', ')}`).nullable().optional(),
    assume: z
      .strictObject({ delivered: z.boolean('must be true or false').default(true), opened: z.boolean('must be true or false').default(false), clicked: z.boolean('must be true or false').default(false) })
      .default({ delivered: true, opened: false, clicked: false }),
    checkout: z
      .strictObject({
        cartValue: z.number('must be a number').finite().min(0, 'must be 0 or more').default(100),
        stage: z.enum(STAGES, `must be one of ${STAGES.join(', ')}`).default('payment'),
        isNewCustomer: z.boolean('must be true or false').default(true),
        ordersCount: z.number().int().min(0).optional(),
        lifetimeValue: z.number().finite().min(0).optional(),
      })
      .default({ cartValue: 100, stage: 'payment', isNewCustomer: true }),
  },
  'must be a JSON object',
);

export type PreviewShopper = z.output<typeof previewShopperSchema>;

/** "Promote winner": the variant of the step (named in the path) that becomes its default. */
export const promoteSchema = z.strictObject({ variant: z.string('must be the name of one of the step\'s variants').min(1, 'must not be empty') }, 'must be a JSON object');
