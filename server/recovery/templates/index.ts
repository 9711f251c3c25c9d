export * from './default-templates';
export * from './render';
export * from './template-context';
