/**
 * What each Lambda function may touch, decided per function from the use cases it calls
 * (packages/core/src) and the ports those use. The stateless stack turns each entry into the
 * function's environment and its IAM grants, side by side, and nothing more: a function not
 * listed here as reading a table cannot read it. Typed by function name, so that adding a
 * function to `lambdaFunctions` does not compile until someone has decided what it needs.
 */
import type { TableName } from '@twofold/adapters/tables';
import type { LambdaFunctionName } from './bundling';

export type TableAccess = 'read' | 'write' | 'readWrite';

/** What KMS does for the KeyVault port: unwrap a data key (Decrypt), make a new one (GenerateDataKey). */
export type KeyUse = 'Decrypt' | 'GenerateDataKey';

export interface Needs {
  /** Tables the function's ports read or write. Every function is told every table's name (the config asks for all); access is only this. */
  tables: Partial<Record<TableName, TableAccess>>;
  /** KMS calls on the deployment's key. */
  kms: readonly KeyUse[];
  /** Puts security events on the EventBridge bus (events:PutEvents). Every function is told the bus (the config asks); recording them is the events table's write. */
  publishesEvents?: true;
  /**
   * SMS through SNS, when the deployment has it: `send` sends codes (env + sns:Publish);
   * `configured` only needs to know that SMS exists (env, no permission).
   */
  sms?: 'send' | 'configured';
  /** Email through SES, when the deployment has it: as for `sms`. */
  email?: 'send' | 'configured';
}

/**
 * The assertion signer (core/assertions.ts) reads the deployment's signing key from the directory;
 * the first caller ever creates it (a conditional put, and GenerateDataKey for the data key that
 * seals it), every cold start decrypts it. Whoever signs, or checks a fresh verification, needs this.
 */
const signsAssertions = { directory: 'readWrite', kms: ['Decrypt', 'GenerateDataKey'] } as const;

export const functionNeeds: Record<LambdaFunctionName, Needs> = {
  // authenticate(): an API key's record, by key id. Nothing else.
  authorizer: { tables: { directory: 'read' }, kms: [] },

  // health, the OpenAPI document, and the JWKS (the signing key's public half: see signsAssertions)
  public: { tables: { directory: signsAssertions.directory }, kms: signsAssertions.kms },

  // the API reference pages: a fixed page and the renderer's file beside its code; it touches nothing
  docs: { tables: {}, kms: [] },

  // users, factors (sealed with the tenant's data key), recovery codes, codes sent at enrolment
  // (send throttle in the attempts table), disabling 2FA (removes trusted devices), fresh verification
  enrollment: {
    tables: { directory: signsAssertions.directory, secrets: 'readWrite', attempts: 'readWrite', devices: 'readWrite', events: 'write' },
    kms: signsAssertions.kms,
    publishesEvents: true,
    sms: 'send',
    email: 'send',
  },

  // challenges (attempts table, with the send throttle), device tokens rotated on use, the user's
  // factors read, codes sent, Idempotency-Key records
  challenge: {
    tables: { directory: 'read', secrets: 'read', attempts: 'readWrite', devices: 'readWrite', idempotency: 'readWrite' },
    kms: ['Decrypt'],
    sms: 'send',
    email: 'send',
  },

  // the hot path: the challenge, the user's partition (TOTP step, recovery code, failures),
  // a trusted device and the sign-in IP remembered (puts only), the assertion signed, events
  verify: {
    tables: { directory: signsAssertions.directory, secrets: 'readWrite', attempts: 'readWrite', devices: 'write', events: 'write' },
    kms: signsAssertions.kms,
    publishesEvents: true,
  },

  // list and revoke trusted devices; revocations are security events
  devices: { tables: { devices: 'readWrite', events: 'write' }, kms: [], publishesEvents: true },

  // scheduled: publishes what the outbox still holds (the sparse `pending` index), marks it published
  'event-relay': { tables: { events: 'readWrite' }, kms: [], publishesEvents: true },

  // the policy (directory), users and their summaries and counters (secrets), unlock and reset
  // (failures, factors, trusted devices), recovery codes regenerated (the tenant's data key),
  // the audit trail (events by-user index) and admin actions as events. The policy check asks
  // whether SMS exists (SMS factors need it) but the function never sends.
  admin: {
    tables: { directory: 'readWrite', secrets: 'readWrite', devices: 'readWrite', events: 'readWrite' },
    kms: ['Decrypt'],
    publishesEvents: true,
    sms: 'configured',
  },

  // scheduled: grace-period deadlines (secrets `grace` index and user summaries), the tenant's
  // name for the email, expiry events, reminder emails
  'grace-expiry': {
    tables: { directory: 'read', secrets: 'readWrite', events: 'write' },
    kms: [],
    publishesEvents: true,
    email: 'send',
  },
};
