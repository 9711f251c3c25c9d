import { z } from 'zod';

/** A browser origin: scheme, host and optional port. */
export const origin = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}, 'must be an origin such as https://shop.example (scheme, host and optional port, no path or trailing slash)');

export const newSourceSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  shopifySecret: z.string().min(8, 'must be at least 8 characters').max(500).optional(),
  allowedOrigins: z.array(origin).max(50, 'at most 50 origins').default([]),
  /** EU stores: abandoned-checkout email only to shoppers who opted in explicitly. */
  requireEmailOptIn: z.boolean().default(false),
});

export type NewSource = z.input<typeof newSourceSchema>;
