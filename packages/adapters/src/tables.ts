/**
 * The DynamoDB tables, described once: the CDK stack creates them from this, and the local
 * runtime creates the same tables in dynalite. Keys are generic (`pk`, `sk`) and every
 * partition key starts with the tenant, so another tenant's items are unreachable by key.
 */
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
  },
  secrets: {
    name: 'secrets',
    description: "Users' profiles, factors (sealed TOTP secrets), recovery code hashes and failure counters",
    partitionKey: 'pk',
    sortKey: 'sk',
  },
  attempts: {
    name: 'attempts',
    description: 'Login challenges and their state',
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
    globalIndexes: [
      // sparse: only events still to publish carry `pending`
      { name: 'pending', partitionKey: 'pending', sortKey: 'sk' },
      { name: 'by-user', partitionKey: 'tenantUser', sortKey: 'sk' },
    ],
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
  challenge: (tenantId: string, challengeId: string) => ({ pk: `CHALLENGE#${tenantId}#${challengeId}`, sk: 'CHALLENGE' }),
};

export const userItem = {
  profile: 'PROFILE',
  factor: (factorId: string) => `FACTOR#${factorId}`,
  recovery: 'RECOVERY',
  failures: 'FAILURES',
} as const;
