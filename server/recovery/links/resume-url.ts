/** What decides where "complete your order" leads. */
export interface ResumeFacts {
  context: { page?: { url?: string } } | null;
  allowedOrigins: string[];
}

/** The page the shopper left, else the storefront, else our own address. */
export function resumeUrlOf(facts: ResumeFacts, publicUrl: string): string {
  const page = facts.context?.page?.url;
  if (page && /^https?:\/\//i.test(page)) return page;
  return facts.allowedOrigins[0] ?? publicUrl;
}

/** The same facts read for one message. */
export const RESUME_FACTS_SQL = `SELECT c.context, s.allowed_origins FROM messages m JOIN checkouts c ON c.id = m.checkout_id JOIN sources s ON s.id = c.source_id WHERE m.id = $1`;
