/**
 * The DynamoDB tables, described once: the CDK stack creates them from this, and the local
 * runtime creates the same tables in dynalite. Keys are generic (`pk`, `sk`) and every
 * partition key starts with the tenant, so another tenant's items are unreachable by key.
 */
import { createHash } from 'node:crypto';

export interface TableDefinition {
  /** Logical name, also the suffix of the local table name. */
  name: string;
  description: string;
  partitionKey: string;
  sortKey?: string;
  /** Attribute holding an epoch-seconds expiry for DynamoDB's TTL (lazy: code checks expiry too). */
  timeToLiveAttribute?: string;
  /** Global secondary indexes (all string keys, projecting all attributes). */
  globalIndexes?: readonly { name: string; partitionKey: string; sortKey?: string }[];
}

export const tables = {
  directory: {
    name: 'directory',
    description: 'Tenants, their policy and wrapped data key, and API key hashes',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalIndexes: [
      // sparse: every tenant (their records carry tenantList), for the scheduled overview recount
      { name: 'tenants', partitionKey: 'tenantList', sortKey: 'pk' },
    ],
  },
  secrets: {
    name: 'secrets',
    description: "Users' profiles, factors (sealed TOTP secrets), recovery code hashes and login items (challenges, failure counts); per-tenant overview counters",
    partitionKey: 'pk',
    sortKey: 'sk',
    globalIndexes: [
      // every user's profile, by tenant: the admin's user list and the re-summarising after a policy change
      { name: 'by-tenant', partitionKey: 'tenantKey', sortKey: 'userId' },
      // sparse: users who must enroll and have not, by deadline (the scheduled grace-period job)
      { name: 'grace', partitionKey: 'graceKey', sortKey: 'graceEndsAt' },
      // sparse: enrolled users by when they enrolled (the overview's recent enrollments)
      { name: 'enrolled', partitionKey: 'enrolledTenant', sortKey: 'enrolledAt' },
      // sparse: login items whose failure window may lock the user and whose user.locked is not settled
      { name: 'lock-windows', partitionKey: 'lockWindow', sortKey: 'sk' },
    ],
  },
  attempts: {
    name: 'attempts',
    description: 'Send velocity counters (per user, per tenant and destination)',
    partitionKey: 'pk',
    sortKey: 'sk',
    timeToLiveAttribute: 'ttl',
  },
  devices: {
    name: 'devices',
    description: 'Trusted devices (hashed device tokens)',
    partitionKey: 'pk',
    sortKey: 'sk',
    timeToLiveAttribute: 'ttl',
  },
  events: {
    name: 'events',
    description: 'Security events and the audit trail; events not yet published wait in a sparse index',
    partitionKey: 'pk',
    sortKey: 'sk',
    // the tenant's policy.auditRetentionDays after the event
    timeToLiveAttribute: 'expiresAtEpoch',
    globalIndexes: [
      // sparse: only events still to publish carry `pending`
      { name: 'pending', partitionKey: 'pending', sortKey: 'sk' },
      { name: 'by-user', partitionKey: 'tenantUser', sortKey: 'sk' },
    ],
  },
  prompts: {
    name: 'prompts',
    description: 'Hosted prompts: what the app asked for, the browser bound, the step reached, the sealed answer and its code hash',
    partitionKey: 'pk',
    sortKey: 'sk',
    // a prompt lasts the policy's codeTimeoutSeconds (at most 12 hours); the code 60 s after it
    timeToLiveAttribute: 'ttl',
  },
  idempotency: {
    name: 'idempotency',
    description: 'Idempotency-Key records (Powertools idempotency layout: id, expiration)',
    partitionKey: 'id',
    timeToLiveAttribute: 'expiration',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableName = keyof typeof tables;
export type TableNames = Record<TableName, string>;

/** Item keys, in one place. */
export const keys = {
  tenant: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),
  apiKey: (keyId: string) => ({ pk: `APIKEY#${keyId}`, sk: 'APIKEY' }),
  /** The deployment's assertion signing key (one; a `kid` names it, ready for rotation). */
  signingKey: { pk: 'SIGNINGKEY', sk: 'CURRENT' },
  userPartition: (tenantId: string, userId: string) => `USER#${tenantId}#${userId}`,
  /**
   * Who holds a passkey credential id in a tenant (secrets table): one item per credential id,
   * created with the factor's activation and deleted with the factor. The id is hashed only to
   * keep the key short (credential ids reach 1,023 bytes); it is not a secret.
   */
  credentialHolder: (tenantId: string, credentialId: string) => ({ pk: `CREDENTIAL#${tenantId}#${createHash('sha256').update(credentialId).digest('base64url')}`, sk: 'HOLDER' }),
  /**
   * One shard of a tenant's overview counters (secrets table). A user's changes move the shard
   * their id hashes to: each shard is its own partition, so no one item takes every change of
   * a busy tenant; the overview reads them all in one BatchGetItem.
   */
  stats: (tenantId: string, shard: number) => ({ pk: `STATS#${tenantId}#${shard}`, sk: 'STATS' }),
  statsShard: (userId: string) => createHash('sha256').update(userId).digest()[0]! % STATS_SHARDS,
  /** Tenants whose users must be summarised again after a policy change (secrets table). */
  backfills: 'GRACE-BACKFILL',
  /**
   * The grace index's partition for a user: spread over a few partitions so that a deployment
   * with many users waiting does not write one hot partition.
   */
  graceShard: (tenantId: string, userId: string) => `GRACE#${createHash('sha256').update(`${tenantId}#${userId}`).digest()[0]! % GRACE_SHARDS}`,
};

export const GRACE_SHARDS = 4;
export const STATS_SHARDS = 8;

export const userItem = {
  profile: 'PROFILE',
  factor: (factorId: string) => `FACTOR#${factorId}`,
  recovery: 'RECOVERY',
  /** The login item: challenges, the failure count, the last used TOTP steps (small: a login writes it). */
  login: 'LOGIN',
} as const;
