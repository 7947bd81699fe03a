/**
 * What each Lambda function may touch, decided per function from the use cases it calls
 * (packages/core/src) and the ports those use. The service turns each entry into the
 * function's environment and its IAM grants, side by side, and nothing more: a function not
 * listed here as reading a table cannot read it. Typed by function name, so that adding a
 * function to `lambdaFunctions` does not compile until someone has decided what it needs.
 *
 * The directory table holds three kinds of item, each behind its own partition key prefix
 * (packages/adapters/src/tables.ts `keys`): tenants (TENANT#, with the policy and the wrapped
 * data key), API keys (APIKEY#, hashes) and the deployment's signing key (SIGNINGKEY). Grants
 * on it are per kind of item, with a dynamodb:LeadingKeys condition, so that e.g. the public
 * function reaches the signing key and nothing else, and no function but the admin's can mint
 * an API key.
 *
 * KMS use is per purpose, each with its encryption context as an IAM condition: a tenant's data
 * key ({purpose: twofold-data-key, tenantId}: core/keyring.ts) or the signing key's
 * ({purpose: twofold-signing-key}: core/login/assertions.ts).
 */
import type { TableName } from '@twofold/adapters/tables';
import type { LambdaFunctionName } from './bundling';

export type TableAccess = 'read' | 'write' | 'readWrite';

/** The kinds of directory item, by partition key prefix. */
export type DirectoryItem = 'tenant' | 'apiKey' | 'signingKey' | 'keyUse' | 'tenantList';

/** What KMS does for the KeyVault port: unwrap a data key (Decrypt), make a new one (GenerateDataKey). */
export type KeyUse = 'Decrypt' | 'GenerateDataKey';

export interface Needs {
  /** Tables other than the directory that the function's ports read or write. Every function is told every table's name (the config asks for all); access is only this. */
  tables: Partial<Record<Exclude<TableName, 'directory'>, TableAccess>>;
  /** Directory items, by kind: read (GetItem, Query), write (PutItem, UpdateItem, DeleteItem). */
  directory?: { read?: readonly DirectoryItem[]; write?: readonly DirectoryItem[] };
  /**
   * API functions check the caller's API key themselves (a per-container cache, no authorizer)
   * and may note when a key was last used: UpdateItem of an API-key item, on its `lastUsedAt`
   * attribute only (dynamodb:Attributes), never its hash, scope or tenant.
   */
  touchesApiKeys?: true;
  /**
   * Keeps the tenants' request quota (core/tenancy/tenant-quota.ts): checks in with the census of
   * containers, UpdateItem and BatchGetItem of the attempts table's `CENSUS#` items only.
   */
  countsContainers?: true;
  /** KMS calls on the deployment's key, by whose data key. */
  kms: { tenantDataKeys?: readonly KeyUse[]; signingKey?: readonly KeyUse[] };
  /** Puts security events on the EventBridge bus (events:PutEvents). Every function is told the bus (the config asks); recording them is the events table's write. */
  publishesEvents?: true;
  /**
   * SMS through SNS, when the deployment has it: `send` sends codes (env + sns:Publish);
   * `configured` only needs to know that SMS exists (env, no permission).
   */
  sms?: 'send' | 'configured';
  /** Email through SES, when the deployment has it: as for `sms`. */
  email?: 'send' | 'configured';
  /**
   * How long a container keeps a tenant (its policy) before reading it again; default the
   * config's 30 s. Functions off the login's hot path read it fresh, so that an admin's policy
   * change applies to the next enrolment at once, in AWS as on npm start's shared container.
   */
  tenantCacheSeconds?: number;
}

/**
 * The assertion signer (core/login/assertions.ts) reads the deployment's signing key from the directory
 * and decrypts it at each cold start. It never writes it: the key is made with the first tenant
 * (the operator's tenant CLI: core/tenancy/tenants.ts), so that a compromised function cannot replace the
 * key every tenant's assertions are checked with. Whoever signs, or checks a fresh verification, needs this.
 */
const signs = { read: ['signingKey'], kms: ['Decrypt'] } as const;

/** An API function: the caller's key by its id (and its tenant, for most). */
const keyed = ['apiKey'] as const;

export const functionNeeds: Record<LambdaFunctionName, Needs> = {
  // health and the JWKS (the signing key's public half: see signs). No API key, no tenant.
  public: { tables: {}, directory: { read: signs.read }, kms: { signingKey: signs.kms } },

  // the admin console's page and assets, built into the bundle: nothing to read, nothing to sign
  // (the page calls the admin API with the key the person enters)
  console: { tables: {}, kms: {} },

  // the API reference pages: a fixed page and the renderer's file beside its code; it touches nothing
  docs: { tables: {}, kms: {} },

  // users, factors (sealed with the tenant's data key), recovery codes, codes sent at enrolment
  // (send throttle in the attempts table), disabling 2FA (removes trusted devices), fresh verification
  enrollment: {
    tables: { secrets: 'readWrite', attempts: 'readWrite', devices: 'readWrite', events: 'readWrite' },
    directory: { read: [...keyed, 'tenant', ...signs.read] },
    touchesApiKeys: true,
    countsContainers: true,
    kms: { tenantDataKeys: ['Decrypt'], signingKey: signs.kms },
    publishesEvents: true,
    sms: 'send',
    email: 'send',
    tenantCacheSeconds: 0,
  },

  // challenges (attempts table, with the send throttle), device tokens rotated on use (a reused
  // one revokes its device: a security event), the user's factors read, codes sent, Idempotency-Key records
  challenge: {
    tables: { secrets: 'readWrite', attempts: 'readWrite', devices: 'readWrite', idempotency: 'readWrite', events: 'write' },
    directory: { read: [...keyed, 'tenant'] },
    touchesApiKeys: true,
    countsContainers: true,
    kms: { tenantDataKeys: ['Decrypt'] },
    publishesEvents: true,
    sms: 'send',
    email: 'send',
  },

  // the hot path: the challenge, the user's partition (TOTP step, recovery code, failures),
  // a trusted device and the sign-in IP remembered (puts only), the assertion signed, events
  verify: {
    tables: { secrets: 'readWrite', devices: 'write', events: 'write' },
    directory: { read: [...keyed, 'tenant', ...signs.read] },
    touchesApiKeys: true,
    countsContainers: true,
    kms: { tenantDataKeys: ['Decrypt'], signingKey: signs.kms },
    publishesEvents: true,
  },

  // the hosted prompt: its own table, and the use cases its pages call — a challenge started (send
  // throttle, codes sent, device tokens rotated), answered (the user's partition, a trusted device,
  // the assertion signed), an authenticator app enrolled with its recovery codes, events
  prompt: {
    tables: { prompts: 'readWrite', secrets: 'readWrite', attempts: 'readWrite', devices: 'readWrite', events: 'write' },
    directory: { read: [...keyed, 'tenant', ...signs.read] },
    touchesApiKeys: true,
    countsContainers: true,
    kms: { tenantDataKeys: ['Decrypt'], signingKey: signs.kms },
    publishesEvents: true,
    sms: 'send',
    email: 'send',
    // a person's pace, off the hot path: a policy change (enforcement, the redirect URIs) applies to the next page
    tenantCacheSeconds: 0,
  },

  // list and revoke trusted devices; revocations are security events
  // a revocation is a user change (the user's revision moves with it)
  devices: { tables: { secrets: 'readWrite', devices: 'readWrite', events: 'write' }, directory: { read: [...keyed, 'tenant'] }, touchesApiKeys: true,
    countsContainers: true, kms: {}, publishesEvents: true },

  // scheduled: publishes what the outbox still holds (the sparse `pending` index), marks it published
  // and the login items that still hold an event written with their change (item-events index);
  // settles lock windows and tells the user of a lockout by email (the user's item, the tenant's
  // name and message settings: core/events/lockout-notice.ts)
  'event-relay': { tables: { secrets: 'readWrite', events: 'readWrite' }, directory: { read: ['tenant'] }, kms: {}, publishesEvents: true, email: 'send' },

  // the policy (tenant item), the tenant's API keys (list, create, revoke), users and their
  // summaries and counters (secrets), unlock and reset (failures, factors, trusted devices),
  // recovery codes regenerated (the tenant's data key), the audit trail (events by-user index)
  // and admin actions as events. The policy check asks whether SMS exists (SMS factors need it)
  // but the function never sends.
  admin: {
    tables: { secrets: 'readWrite', devices: 'readWrite', events: 'readWrite' },
    directory: { read: [...keyed, 'tenant', 'keyUse'], write: ['tenant', 'apiKey', 'keyUse'] },
    countsContainers: true,
    kms: { tenantDataKeys: ['Decrypt'] },
    publishesEvents: true,
    sms: 'configured',
    tenantCacheSeconds: 0,
  },

  // scheduled: grace-period deadlines (secrets `grace` index and user summaries), the tenant's
  // name for the email, expiry events, reminder emails; every tenant (the `tenants` index) for the overview recount
  'grace-expiry': {
    tables: { secrets: 'readWrite', events: 'write' },
    directory: { read: ['tenant', 'tenantList'] },
    kms: {},
    publishesEvents: true,
    email: 'send',
  },
};
