/**
 * The storage ports' adapters, side by side, for the contract suites (test/adapters/*.contract.test.ts):
 * the DynamoDB adapters on tables of their own on the run's shared DynamoDB Local (through the
 * real SDK), and the memory adapters on a MemoryTables of their own. Each is one world: the stores
 * of it share their tables, as a user change writes devices, events and counters with the user.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  documentClient,
  dynamoClient,
  DynamoApiKeyStore,
  DynamoChallengeStore,
  DynamoContainerCensus,
  DynamoDeviceStore,
  DynamoEventOutbox,
  DynamoGraceDeadlines,
  DynamoPromptStore,
  DynamoSendThrottle,
  DynamoTenantDirectory,
  DynamoTenantStats,
  DynamoUserStore,
  MemoryTables,
} from '@twofold/adapters';
import type { SecurityEvent } from '@twofold/contract';
import type { UserChange } from '@twofold/core';
import type { ChallengeRecord, FactorRecord, SmsFactorRecord, TotpFactorRecord, UserSummary, WebauthnFactorRecord } from '@twofold/core/records';
import { startLocalDynamo } from '@twofold/local/dynamodb-local';
import { memoryStorage } from '@twofold/local/memory-storage';
import type { Storage } from '@twofold/runtime';

/** The storage a runtime can be given (runtime/src/wiring.ts), read through the stores themselves. */
export type Stores = Omit<Storage, 'userReader'> & { stop(): Promise<void> };

const dynamoStores = async (): Promise<Stores> => {
  const dynamo = await startLocalDynamo();
  const config = { endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const db = documentClient(config);
  const hot = dynamoClient(config);
  const t = dynamo.tableNames;
  return {
    users: new DynamoUserStore(db, t, hot),
    challenges: new DynamoChallengeStore(db, t, hot),
    devices: new DynamoDeviceStore(db, t.devices),
    outbox: new DynamoEventOutbox(db, t.events),
    grace: new DynamoGraceDeadlines(db, t.secrets, t.events),
    stats: new DynamoTenantStats(db, t.secrets),
    throttle: new DynamoSendThrottle(db, t.attempts),
    prompts: new DynamoPromptStore(db, t.prompts),
    apiKeys: new DynamoApiKeyStore(db, t.directory),
    tenants: new DynamoTenantDirectory(db, t.directory),
    census: new DynamoContainerCensus(db, t.attempts),
    idempotencyRecords: new DynamoDBPersistenceLayer({ tableName: t.idempotency, awsSdkV3Client: hot }),
    stop: () => dynamo.stop(),
  };
};

/** The memory adapters as a runtime with storage 'memory' takes them (packages/local/src/memory-storage.ts). */
const memoryStores = async (): Promise<Stores> => ({ ...memoryStorage(new MemoryTables()), stop: async () => {} });

/** For `describe.each`: every implementation of the storage ports. */
export const storeImplementations: [string, () => Promise<Stores>][] = [
  ['dynamo', dynamoStores],
  ['memory', memoryStores],
];

let seq = 0;
/** An id no other test of the file has (tenants and users share one world per file). */
export const unique = (prefix: string) => `${prefix}${(++seq).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

export const T0 = Date.parse('2026-11-22T10:00:00Z');

export const summaryOf = (over: Partial<UserSummary> = {}): UserSummary => ({ status: 'not_started', recovery: null, rolesWithout: [], enrolledAtMs: null, graceEndsAtMs: null, smsOnly: false, ...over });

/** A change creating or updating a profile, nothing else (override what the test is about). */
export function profileChange(tenantId: string, userId: string, revision: number, over: Partial<UserChange> = {}): UserChange {
  return {
    tenantId,
    userId,
    revision,
    profile: { roles: [], sso: false, createdAtMs: T0, updatedAtMs: T0 + revision },
    summary: summaryOf(),
    inGraceIndex: false,
    events: [],
    stats: {},
    ...over,
  };
}

export function eventOf(tenantId: string, userId: string | null, i: number, over: Partial<SecurityEvent> = {}): SecurityEvent {
  return {
    eventId: `ev_${String(i).padStart(16, '0')}`,
    type: 'recovery_code.used',
    tenantId,
    userId,
    at: new Date(T0 + i * 1000).toISOString(),
    actor: 'user',
    detail: { remaining: 3 },
    ...over,
  } as SecurityEvent;
}

export function challengeOf(tenantId: string, userId: string, challengeId: string, over: Partial<ChallengeRecord> = {}): ChallengeRecord {
  return {
    challengeId,
    tenantId,
    userId,
    method: 'totp',
    status: 'pending',
    createdAtMs: T0,
    expiresAtMs: T0 + 300_000,
    resends: 0,
    limits: { maxInvalidAttempts: 5, lockoutSeconds: 900, totpWindow: 1, codeTimeoutSeconds: 300, resendLimit: 3, allowFallback: true, trustedDeviceDays: null },
    ...over,
  };
}

export function smsFactor(factorId: string, over: Partial<SmsFactorRecord> = {}): SmsFactorRecord {
  return { factorId, type: 'sms', label: 'phone', status: 'active', createdAtMs: T0, failedAttempts: 0, destination: '+33612345678', ...over };
}

export function totpFactor(factorId: string, over: Partial<TotpFactorRecord> = {}): TotpFactorRecord {
  return { factorId, type: 'totp', label: 'app', status: 'active', createdAtMs: T0, failedAttempts: 0, totp: { sealedSecret: 'sealed', algorithm: 'sha1', digits: 6, period: 30 }, ...over };
}

/** A passkey factor's credential (undefined for any other factor). */
export const credentialOf = (factor: FactorRecord | undefined) => (factor?.type === 'webauthn' ? factor.webauthn : undefined);

export function passkeyFactor(factorId: string, over: Partial<WebauthnFactorRecord> = {}): WebauthnFactorRecord {
  return { factorId, type: 'webauthn', label: 'passkey', status: 'active', createdAtMs: T0, failedAttempts: 0, ...over };
}
