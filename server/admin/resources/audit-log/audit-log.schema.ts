export const AUDIT_LIST = {
  filters: ['resource', 'resourceId', 'actor', 'action', 'from', 'to'] as const,
  sortable: ['at'] as const,
  defaultSort: { field: 'at' as const, order: 'DESC' as const },
};
