/**
 * The composition root: builds the adapters the configuration asks for and hands the core its
 * ports. Built once per container (cold start), reused by every invocation.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  DynamoChallengeStore,
  DynamoDeviceStore,
  DynamoEventOutbox,
  DynamoGraceDeadlines,
  DynamoTenantStats,
  EventBridgePublisher,
  DynamoSendThrottle,
  DynamoTenantDirectory,
  DynamoUserStore,
  KmsKeyVault,
  LocalEventLog,
  LocalKeyVault,
  LocalSmsOutbox,
  nodeRandom,
  SesEmailSender,
  SnsSmsSender,
  systemClock,
} from '@twofold/adapters';
import { AssertionSigner, authenticate, KeyRing, loadTenant, TtlCache, type CoreDeps } from '@twofold/core';
import type { ApiKeyRecord, Clock, EmailSender, EventPublisher, KeyVault, Random, SmsSender, TenantRecord } from '@twofold/core';
import { loadConfig, type Config } from './config';

export interface Dependencies extends CoreDeps {
  config: Config;
  vault: KeyVault;
  db: DynamoDBDocumentClient;
  /** The plain client under `db`, for libraries that take one (Powertools idempotency). */
  dynamo: DynamoDBClient;
  authenticate(authorization: string | undefined): Promise<{ tenantId: string; scope: 'app' | 'admin' } | undefined>;
}

export interface Overrides {
  clock?: Clock;
  random?: Random;
  vault?: KeyVault;
  dynamo?: DynamoDBClient;
  sms?: SmsSender;
  email?: EmailSender;
  publisher?: EventPublisher;
}

function smsSender(config: Config, clock: Clock): SmsSender | undefined {
  const sms = config.sms;
  if (sms.kind === 'sns') return new SnsSmsSender(new SNSClient({ region: config.region }), sms);
  if (sms.kind === 'local') return new LocalSmsOutbox(clock, sms.outboxFile);
  return undefined;
}

function emailSender(config: Config): EmailSender | undefined {
  const email = config.email;
  if (email.kind !== 'ses') return undefined;
  const client = new SESv2Client({
    region: config.region,
    ...(email.endpoint ? { endpoint: email.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return new SesEmailSender(client, email);
}

export function buildDependencies(config: Config, overrides: Overrides = {}): Dependencies {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? nodeRandom;
  const dynamo =
    overrides.dynamo ??
    new DynamoDBClient({
      region: config.region,
      ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
  const db = documentClient(dynamo);
  const vault =
    overrides.vault ??
    (config.keyVault.kind === 'kms'
      ? new KmsKeyVault(new KMSClient({ region: config.region }), config.keyVault.keyId)
      : LocalKeyVault.fromFile(config.keyVault.keyFile, random));
  const tenants = new DynamoTenantDirectory(db, config.tables.directory);
  const tenantCache = new TtlCache<TenantRecord>(clock, config.tenantCacheSeconds);
  const keyCache = new TtlCache<ApiKeyRecord | undefined>(clock, config.apiKeyCacheSeconds);
  const deps: Dependencies = {
    config,
    clock,
    random,
    db,
    dynamo,
    vault,
    tenants,
    users: new DynamoUserStore(db, config.tables.secrets),
    stats: new DynamoTenantStats(db, config.tables.secrets),
    grace: new DynamoGraceDeadlines(db, config.tables.secrets),
    challenges: new DynamoChallengeStore(db, config.tables.attempts),
    devices: new DynamoDeviceStore(db, config.tables.devices),
    outbox: new DynamoEventOutbox(db, config.tables.events),
    publisher:
      overrides.publisher ??
      (config.events.kind === 'eventbridge'
        ? new EventBridgePublisher(new EventBridgeClient({ region: config.region }), config.events.busName)
        : new LocalEventLog(config.events.file)),
    keyRing: new KeyRing(vault),
    assertions: new AssertionSigner(tenants, vault, random, clock, config.issuer),
    sms: 'sms' in overrides ? overrides.sms : smsSender(config, clock),
    email: 'email' in overrides ? overrides.email : emailSender(config),
    throttle: new DynamoSendThrottle(db, config.tables.attempts),
    sendLimits: config.sendLimits,
    tenant: (tenantId) => loadTenant(deps, tenantCache, tenantId),
    forgetTenant: (tenantId) => tenantCache.delete(tenantId),
    authenticate: (authorization) => authenticate(deps, keyCache, authorization),
  };
  return deps;
}

let current: Dependencies | undefined;

/** The container's dependencies, built from the environment on first use. */
export function dependencies(): Dependencies {
  return (current ??= buildDependencies(loadConfig(process.env)));
}

/** For the local runtime and tests: use these instead of building from the environment. */
export function provideDependencies(deps: Dependencies): void {
  current = deps;
}
