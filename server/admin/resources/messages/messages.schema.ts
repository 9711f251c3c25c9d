export const MESSAGE_STATUSES = ['planned', 'sending', 'sent', 'delivered', 'failed', 'cancelled', 'withheld', 'unknown'] as const;
export const MESSAGE_CHANNELS = ['email', 'sms', 'push'] as const;
export const MESSAGE_ARMS = ['treatment', 'control'] as const;

export const MESSAGE_LIST = {
  filters: ['status', 'channel', 'checkoutId', 'arm', 'q'] as const,
  sortable: ['scheduledFor', 'sentAt', 'createdAt', 'stepIndex'] as const,
  defaultSort: { field: 'scheduledFor' as const, order: 'DESC' as const },
  // Each row is rendered for its subject: a smaller page than the other lists.
  maxPage: 100,
};
