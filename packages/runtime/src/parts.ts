/**
 * Every part a container can have, one factory each, named as the use cases take it (a key of
 * Dependencies). The configuration chooses the adapter behind each port; tests and the local
 * runtime may override the clock, randomness, key vault, DynamoDB client, senders and publisher.
 * A function imports the parts it needs: `wire({ clock, users, … })` (see wiring.ts).
 *
 * Each part that makes an AWS SDK client is in a module of its own under parts/ (re-exported
 * here): a bundle imports a module's SDK client even where its function wires none of that
 * module's parts, so keeping them apart means a function's cold start loads only the SDK clients
 * of the parts it wires (the public function: DynamoDB and KMS, not SNS, SES or EventBridge).
 */
import {
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
  DynamoUserReader,
  DynamoUserStore,
} from '@twofold/adapters';
import type { TenantQuota } from '@twofold/contract/schemas';
import { ApiKeyAuthenticator, AssertionSigner, KeyRing, loadTenant, TenantAdmission, TtlCache, type ContainerCensus, type TenantDirectory, type TenantRecord, type UserReader } from '@twofold/core';
import type { Dependencies } from './dependencies';
import { clock, random } from './parts/basics';
import { db, hotDynamo } from './parts/dynamo';
import { vault } from './parts/vault';
import type { Part } from './wiring';

type PartOf<K extends keyof Dependencies> = Part<Dependencies[K]>;

export { clock, config, random } from './parts/basics';
export { db, dynamo, hotDynamo } from './parts/dynamo';
export { email } from './parts/email';
export { idempotencyRecords } from './parts/idempotency-records';
export { publisher } from './parts/publisher';
export { sms } from './parts/sms';
export { vault } from './parts/vault';

export const keyRing: PartOf<'keyRing'> = (w) => new KeyRing(w.get(vault));

// ---------------------------------------------------------------- DynamoDB tables (or the storage of an override)

/** The directory also keeps the deployment's assertion signing key (see assertions). */
export const tenants: Part<TenantDirectory> = (w) => w.overrides.storage?.tenants ?? new DynamoTenantDirectory(w.get(db), w.config.tables.directory);
export const users: PartOf<'users'> = (w) => w.overrides.storage?.users ?? new DynamoUserStore(w.get(db), w.config.tables, w.get(hotDynamo));
/** Users read only (a function whose use cases never change a user wires `users: userReader`). */
export const userReader: Part<UserReader> = (w) => w.overrides.storage?.userReader ?? new DynamoUserReader(w.get(db), w.config.tables.secrets, w.get(hotDynamo));
export const stats: PartOf<'stats'> = (w) => w.overrides.storage?.stats ?? new DynamoTenantStats(w.get(db), w.config.tables.secrets);
export const grace: PartOf<'grace'> = (w) => w.overrides.storage?.grace ?? new DynamoGraceDeadlines(w.get(db), w.config.tables.secrets, w.config.tables.events);
export const challenges: PartOf<'challenges'> = (w) => w.overrides.storage?.challenges ?? new DynamoChallengeStore(w.get(db), w.config.tables, w.get(hotDynamo));
export const throttle: PartOf<'throttle'> = (w) => w.overrides.storage?.throttle ?? new DynamoSendThrottle(w.get(db), w.config.tables.attempts);
export const devices: PartOf<'devices'> = (w) => w.overrides.storage?.devices ?? new DynamoDeviceStore(w.get(db), w.config.tables.devices);
export const prompts: PartOf<'prompts'> = (w) => w.overrides.storage?.prompts ?? new DynamoPromptStore(w.get(db), w.config.tables.prompts);
export const outbox: PartOf<'outbox'> = (w) => w.overrides.storage?.outbox ?? new DynamoEventOutbox(w.get(db), w.config.tables.events);
const census: Part<ContainerCensus> = (w) => w.overrides.storage?.census ?? new DynamoContainerCensus(w.get(db), w.config.tables.attempts);

// ---------------------------------------------------------------- the tenant and its API keys, cached per container

const tenantCache: Part<TtlCache<TenantRecord>> = (w) => new TtlCache<TenantRecord>(w.get(clock), w.config.tenantCacheSeconds);
export const tenant: PartOf<'tenant'> = (w) => {
  const deps = { tenants: w.get(tenants) };
  const cache = w.get(tenantCache);
  return (tenantId) => loadTenant(deps, cache, tenantId);
};
export const forgetTenant: PartOf<'forgetTenant'> = (w) => {
  const cache = w.get(tenantCache);
  return (tenantId) => cache.delete(tenantId);
};
export const apiKeys: PartOf<'apiKeys'> = (w) => w.overrides.storage?.apiKeys ?? new DynamoApiKeyStore(w.get(db), w.config.tables.directory);
/** The container's API key cache: a revoked key stops working in other containers within TWOFOLD_API_KEY_CACHE_SECONDS. */
const apiKeyAuthenticator: Part<ApiKeyAuthenticator> = (w) => new ApiKeyAuthenticator({ apiKeys: w.get(apiKeys), clock: w.get(clock) }, { ttlSeconds: w.config.apiKeyCacheSeconds });
/** Every function that serves keyed routes wires this: httpFunction checks the key before anything else. */
export const authenticate: PartOf<'authenticate'> = (w) => {
  const authenticator = w.get(apiKeyAuthenticator);
  return (authorization) => authenticator.authenticate(authorization);
};
export const forgetApiKey: PartOf<'forgetApiKey'> = (w) => {
  const authenticator = w.get(apiKeyAuthenticator);
  return (keyId) => authenticator.forget(keyId);
};

// ---------------------------------------------------------------- the tenant's request quota, per container

/** How long a container trusts a tenant's quota: an operator's change reaches every container within this. */
const QUOTA_CACHE_SECONDS = 30;
const quotaCache: Part<TtlCache<TenantQuota>> = (w) => new TtlCache<TenantQuota>(w.get(clock), QUOTA_CACHE_SECONDS);
/**
 * Every function that serves keyed routes wires this: httpFunction admits each request after
 * its key. The quota rides on the tenant's record, which the container caches (the same read
 * as the use cases' own `tenant`, shared while both are cached): no call on a warm request.
 */
export const admitTenant: PartOf<'admitTenant'> = (w) => {
  const cache = w.get(quotaCache);
  const tenantOf = w.get(tenant);
  const admission = new TenantAdmission(
    {
      census: w.get(census),
      clock: w.get(clock),
      quotaOf: (tenantId) => cache.get(tenantId, async () => (await tenantOf(tenantId)).quota ?? w.config.tenantQuota),
    },
    Buffer.from(w.get(random).bytes(8)).toString('hex'),
  );
  return (tenantId) => admission.admit(tenantId);
};

// ---------------------------------------------------------------- assertions and send limits (the publisher and the senders: parts/)

export const assertions: PartOf<'assertions'> = (w) => new AssertionSigner(w.get(tenants), w.get(vault), w.config.issuer);

export const sendLimits: PartOf<'sendLimits'> = (w) => w.config.sendLimits;
