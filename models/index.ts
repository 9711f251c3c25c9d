export * from './sources';
export * from './events';
export * from './customers';
export * from './checkouts';
export * from './orders';
