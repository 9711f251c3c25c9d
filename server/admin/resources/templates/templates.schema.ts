import { z } from 'zod';

export const TEMPLATE_READ_ONLY = ['id', 'key', 'updatedAt'] as const;

export const TEMPLATE_LIST = {
  filters: ['q', 'channel'] as const,
  sortable: ['key', 'name', 'channel', 'updatedAt'] as const,
  defaultSort: { field: 'key' as const, order: 'ASC' as const },
};

export const TEMPLATE_CHANNELS = ['email', 'push', 'sms'] as const;
const channel = z.enum(TEMPLATE_CHANNELS, `must be one of ${TEMPLATE_CHANNELS.join(', ')}`);

const parts = {
  name: z.string('must be a string').trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  subject: z.string('must be a string').max(1_000, 'must be at most 1000 characters').nullable().optional(),
  html: z.string('must be a string').max(200_000, 'must be at most 200000 characters').nullable().optional(),
  text: z.string('must be a string').min(1, 'must not be empty').max(50_000, 'must be at most 50000 characters'),
};

type Parts = { channel: (typeof TEMPLATE_CHANNELS)[number]; subject?: string | null; html?: string | null };

/** Which parts a channel has: email a subject (required) and HTML; push an optional title; SMS the body only. */
function channelParts(t: Parts, ctx: z.RefinementCtx) {
  if (t.channel === 'email' && !t.subject?.trim()) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'is required for an email' });
  if (t.channel === 'sms' && t.subject) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'an SMS has no subject' });
  if (t.channel !== 'email' && t.html) ctx.addIssue({ code: 'custom', path: ['html'], message: `only emails have HTML, not ${t.channel}` });
}

export const templateCreateSchema = z
  .strictObject(
    {
      key: z.string('must be a string').regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 letters, digits, "-" or "_", starting with a letter or digit'),
      channel,
      ...parts,
    },
    'must be a JSON object',
  )
  .superRefine(channelParts);

/** An edit: the channel stays what it was (campaign steps name the template per channel). */
export const templateUpdateSchema = z.strictObject({ channel: channel.optional(), ...parts }, 'must be a JSON object');

const sampleSchema = z.strictObject(
  {
    firstName: z.string().max(200).nullable().optional(),
    email: z.string().max(320).nullable().optional(),
    locale: z.string().max(35).nullable().optional(),
    timezone: z.string().max(64).nullable().optional(),
    brandName: z.string().max(200).optional(),
    resumeUrl: z.url('must be a URL').optional(),
    cart: z
      .strictObject({
        items: z
          .array(
            z.object({
              sku: z.string('must be a string'),
              name: z.string().optional(),
              quantity: z.number('must be a number'),
              unit_price: z.number('must be a number'),
              image_url: z.string().optional(),
              url: z.string().optional(),
            }),
          )
          .max(100),
        value: z.number('must be a number'),
        currency: z.string('must be a currency code').length(3, 'must be an ISO 4217 code'),
      })
      .optional(),
    offer: z
      .strictObject({
        code: z.string().max(64),
        description: z.string().max(200),
        expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' }).nullable().optional(),
      })
      .nullable()
      .optional(),
  },
  'must be an object',
);

export const templatePreviewSchema = z.strictObject(
  {
    template: z
      .strictObject({ channel, subject: parts.subject, html: parts.html, text: parts.text, key: z.string().optional(), name: z.string().optional() }, 'must be an object')
      .superRefine(channelParts),
    sample: sampleSchema.optional(),
  },
  'must be a JSON object',
);

export type TemplatePreviewRequest = z.output<typeof templatePreviewSchema>;
