/** Every BullMQ queue the product uses; metrics and health iterate over this list. */
export const QUEUES = {
  /** Wake-ups of planned messages (`send`) and of waterfall deadlines (`plan`). */
  recovery: 'recovery',
  /** The periodic sweep and reconciliation, and one `abandon` job per checkout found idle. */
  abandonment: 'abandonment',
  /** Model training runs, nightly or asked for; one at a time. */
  training: 'training',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const QUEUE_NAMES: QueueName[] = Object.values(QUEUES);
