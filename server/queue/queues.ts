/** Every BullMQ queue the product uses; metrics and health iterate over this list. */
export const QUEUES = {
  /** Wake-ups for planned recovery messages (processors arrive with the recovery engine). */
  recovery: 'recovery',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const QUEUE_NAMES: QueueName[] = Object.values(QUEUES);
