import { sql } from 'drizzle-orm';
import type { ShopperRef } from './code-verdict';
import type { DbExecutor } from './discount-code.service';

/** The identifiers a storefront knows: its checkout (or cart) id and its own customer id. */
export interface ShopperIds {
  checkoutId?: string;
  customerId?: string;
}

/**
 * Our ids for the shopper a request names, through the aliases ingestion recorded: a checkout or cart id of
 * this source's checkouts (the checkout id first), and the merchant's customer (user) id. Unknown ids resolve
 * to null, which no code is bound to.
 */
export async function lookUpShopper(executor: DbExecutor, sourceId: string, ids: ShopperIds): Promise<ShopperRef> {
  const shopper: ShopperRef = { checkoutId: null, checkoutCustomerId: null, customerId: null };
  if (ids.checkoutId !== undefined) {
    const { rows } = await executor.execute<{ id: string; customer_id: string | null }>(sql`
      SELECT c.id, c.customer_id FROM checkout_aliases a JOIN checkouts c ON c.id = a.checkout_id
      WHERE a.kind IN ('checkout', 'cart') AND a.value = ${ids.checkoutId} AND c.source_id = ${sourceId}
      ORDER BY a.kind = 'checkout' DESC LIMIT 1`);
    if (rows[0]) {
      shopper.checkoutId = rows[0].id;
      shopper.checkoutCustomerId = rows[0].customer_id;
    }
  }
  if (ids.customerId !== undefined) {
    const { rows } = await executor.execute<{ customer_id: string }>(sql`
      SELECT customer_id FROM customer_aliases WHERE kind = 'user' AND value = ${ids.customerId}`);
    shopper.customerId = rows[0]?.customer_id ?? null;
  }
  return shopper;
}
