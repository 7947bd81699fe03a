/**
 * The capabilities the core needs from the world, named for what they do, one port a file in
 * ports/. Adapters for AWS (DynamoDB, KMS, SNS, SES, EventBridge) and for the local runtime
 * implement them; the core never sees which.
 */
export type * from './ports/api-key-store';
export type * from './ports/challenge-store';
export type * from './ports/clock';
export type * from './ports/container-census';
export type * from './ports/device-store';
export type * from './ports/email-sender';
export type * from './ports/event-outbox';
export type * from './ports/event-publisher';
export type * from './ports/grace-deadlines';
export type * from './ports/key-vault';
export type * from './ports/prompt-store';
export type * from './ports/random';
export type * from './ports/send-throttle';
export type * from './ports/signing-key-store';
export type * from './ports/sms-sender';
export type * from './ports/tenant-directory';
export type * from './ports/tenant-stats';
export type * from './ports/user-store';
export type { Scope } from '@twofold/contract/schemas';
