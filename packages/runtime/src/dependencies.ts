/** What a container holds: the core's ports and what the handlers take beside them. */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyStore, Caller, CoreDeps, KeyVault } from '@twofold/core';
import type { Config } from './config';

export interface Dependencies extends CoreDeps {
  config: Config;
  vault: KeyVault;
  db: DynamoDBDocumentClient;
  /** The plain client under `db`, for libraries that take one. */
  dynamo: DynamoDBClient;
  /** Where the Idempotency-Key records are kept (parts/idempotency-records.ts). */
  idempotencyRecords: BasePersistenceLayer;
  /**
   * The client of the login's hot calls (the user's Query, the login item's write): as `dynamo`,
   * with its middleware resolved on its first call of each command and kept (cacheMiddleware), so
   * that middleware added to it after its first call is not run.
   */
  hotDynamo: DynamoDBClient;
  /** The caller's tenant and scope from the Authorization header (cached per container: see parts.ts). */
  authenticate(authorization: string | undefined): Promise<Caller | undefined>;
  apiKeys: ApiKeyStore;
  /** Drops a revoked key from this container's cache. */
  forgetApiKey(keyId: string): void;
  /** Serves one request of the tenant within its quota, or fails with tenant_rate_limited (core/tenancy/tenant-quota.ts). */
  admitTenant(tenantId: string): Promise<void>;
}
