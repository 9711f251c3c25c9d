/** What decides where "continue at the store" leads. */
export interface StorefrontFacts {
  context: { page?: { url?: string } } | null;
  allowedOrigins: string[];
}

/** The page the shopper left, else the storefront's first origin; null when the source names neither. */
export function storefrontUrlOf(facts: StorefrontFacts): string | null {
  const page = facts.context?.page?.url;
  if (page && /^https?:\/\//i.test(page)) return page;
  return facts.allowedOrigins[0] ?? null;
}
