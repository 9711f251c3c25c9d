export const CHECKOUT_STATUSES = ['active', 'abandoned', 'recovered', 'completed', 'expired'] as const;
export const CHECKOUT_STAGES = ['cart', 'started', 'contact', 'shipping', 'payment', 'completed'] as const;

export const CHECKOUT_LIST = {
  filters: ['q', 'status', 'stage', 'minValue', 'maxValue', 'from', 'to'] as const,
  sortable: ['firstActivityAt', 'lastActivityAt', 'abandonedAt', 'cartValue'] as const,
  defaultSort: { field: 'firstActivityAt' as const, order: 'DESC' as const },
};
