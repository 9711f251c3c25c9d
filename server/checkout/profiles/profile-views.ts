import type { PaymentMethodRow, SavedAddressRow } from '../../../models';

/** A saved address as the API shows it. */
export function addressView(row: SavedAddressRow) {
  return { id: row.id, label: row.label, address: row.address, is_default: row.isDefault, created_at: row.createdAt.toISOString(), updated_at: row.updatedAt.toISOString() };
}

/** A card as the API shows it: never the provider token, which only the payment router needs. */
export function paymentMethodView(row: PaymentMethodRow) {
  return {
    id: row.id,
    provider: row.provider,
    fallback_providers: Object.keys(row.fallbackTokens),
    brand: row.brand,
    last4: row.last4,
    exp_month: row.expMonth,
    exp_year: row.expYear,
    is_default: row.isDefault,
    created_at: row.createdAt.toISOString(),
  };
}
