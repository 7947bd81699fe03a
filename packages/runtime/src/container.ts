/**
 * The composition root: builds the adapters the configuration asks for and hands the core its
 * ports. Built once per container (cold start), reused by every invocation.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  DynamoChallengeStore,
  DynamoTenantDirectory,
  DynamoUserStore,
  KmsKeyVault,
  LocalKeyVault,
  nodeRandom,
  systemClock,
} from '@twofold/adapters';
import { authenticate, KeyRing, loadTenant, TtlCache, type CoreDeps } from '@twofold/core';
import type { ApiKeyRecord, Clock, KeyVault, Random, TenantRecord } from '@twofold/core';
import { loadConfig, type Config } from './config';

export interface Dependencies extends CoreDeps {
  config: Config;
  vault: KeyVault;
  db: DynamoDBDocumentClient;
  authenticate(authorization: string | undefined): Promise<{ tenantId: string; scope: 'app' | 'admin' } | undefined>;
}

export interface Overrides {
  clock?: Clock;
  random?: Random;
  vault?: KeyVault;
  db?: DynamoDBDocumentClient;
}

export function buildDependencies(config: Config, overrides: Overrides = {}): Dependencies {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? nodeRandom;
  const db =
    overrides.db ??
    documentClient({
      region: config.region,
      ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
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
    vault,
    tenants,
    users: new DynamoUserStore(db, config.tables.secrets),
    challenges: new DynamoChallengeStore(db, config.tables.attempts),
    keyRing: new KeyRing(vault),
    tenant: (tenantId) => loadTenant(deps, tenantCache, tenantId),
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
