import type { SessionDetails } from './checkout-sessions.service';

/** A checkout as the API shows it. */
export function sessionView({ session, paymentMethod, totals }: SessionDetails) {
  return {
    id: session.publicId,
    status: session.state,
    customer_id: session.customerRef,
    email: session.contact.email ?? null,
    phone: session.contact.phone ?? null,
    cart: session.cart,
    shipping_address: session.shippingAddress,
    shipping_method: session.shippingMethod,
    payment_method: paymentMethod && !paymentMethod.removedAt ? { id: paymentMethod.id, brand: paymentMethod.brand, last4: paymentMethod.last4, exp_month: paymentMethod.expMonth, exp_year: paymentMethod.expYear } : null,
    discount_code: session.discountCode,
    totals,
    order_id: session.orderId,
    version: session.version,
    created_at: session.createdAt.toISOString(),
    updated_at: session.updatedAt.toISOString(),
  };
}
