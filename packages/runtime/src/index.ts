export * from './config';
export * from './container';
export * from './http-errors';
export * from './http-function';
export * from './idempotency';
export * from './logger';
export * from './wiring';
