/**
 * Every part a container can have, one factory each, named as the use cases take it (a key of
 * Dependencies). The configuration chooses the adapter behind each port; tests and the local
 * runtime may override the clock, randomness, key vault, DynamoDB client, senders and publisher.
 * A function imports the parts it needs: `wire({ clock, users, … })` (see wiring.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  documentClient,
  DynamoApiKeyStore,
  DynamoChallengeStore,
  DynamoDeviceStore,
  DynamoEventOutbox,
  DynamoGraceDeadlines,
  DynamoSendThrottle,
  DynamoTenantDirectory,
  DynamoTenantStats,
  DynamoUserReader,
  DynamoUserStore,
  EventBridgePublisher,
  KmsKeyVault,
  LocalEventLog,
  LocalKeyVault,
  LocalSmsOutbox,
  nodeRandom,
  secretsManagerSecret,
  SesEmailSender,
  SnsSmsSender,
  systemClock,
  TwilioCredentials,
  TwilioSmsSender,
} from '@twofold/adapters';
import { ApiKeyAuthenticator, AssertionSigner, KeyRing, loadTenant, TtlCache, type TenantRecord, type UserReader } from '@twofold/core';
import type { Dependencies } from './container';
import type { Part, Wiring } from './wiring';

type PartOf<K extends keyof Dependencies> = Part<Dependencies[K]>;

export const config: PartOf<'config'> = (w) => w.config;
export const clock: PartOf<'clock'> = (w) => w.overrides.clock ?? systemClock;
export const random: PartOf<'random'> = (w) => w.overrides.random ?? nodeRandom;

export const dynamo: PartOf<'dynamo'> = (w) =>
  w.overrides.dynamo ??
  new DynamoDBClient({
    region: w.config.region,
    ...(w.config.dynamoDbEndpoint ? { endpoint: w.config.dynamoDbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
export const db: PartOf<'db'> = (w) => documentClient(w.get(dynamo));

export const vault: PartOf<'vault'> = (w) => {
  if (w.overrides.vault) return w.overrides.vault;
  const { keyVault } = w.config;
  return keyVault.kind === 'kms' ? new KmsKeyVault(new KMSClient({ region: w.config.region }), keyVault.keyId) : LocalKeyVault.fromFile(keyVault.keyFile, w.get(random));
};
export const keyRing: PartOf<'keyRing'> = (w) => new KeyRing(w.get(vault));

// ---------------------------------------------------------------- DynamoDB tables

/** The directory also keeps the deployment's assertion signing key (see assertions). */
export const tenants = (w: Wiring): DynamoTenantDirectory => new DynamoTenantDirectory(w.get(db), w.config.tables.directory);
export const users: PartOf<'users'> = (w) => new DynamoUserStore(w.get(db), w.config.tables);
/** Users read only (a function whose use cases never change a user wires `users: userReader`). */
export const userReader: Part<UserReader> = (w) => new DynamoUserReader(w.get(db), w.config.tables.secrets);
export const stats: PartOf<'stats'> = (w) => new DynamoTenantStats(w.get(db), w.config.tables.secrets);
export const grace: PartOf<'grace'> = (w) => new DynamoGraceDeadlines(w.get(db), w.config.tables.secrets, w.config.tables.events);
export const challenges: PartOf<'challenges'> = (w) => new DynamoChallengeStore(w.get(db), w.config.tables);
export const throttle: PartOf<'throttle'> = (w) => new DynamoSendThrottle(w.get(db), w.config.tables.attempts);
export const devices: PartOf<'devices'> = (w) => new DynamoDeviceStore(w.get(db), w.config.tables.devices);
export const outbox: PartOf<'outbox'> = (w) => new DynamoEventOutbox(w.get(db), w.config.tables.events);

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
export const apiKeys: PartOf<'apiKeys'> = (w) => new DynamoApiKeyStore(w.get(db), w.config.tables.directory);
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

// ---------------------------------------------------------------- assertions, events, messages

export const assertions: PartOf<'assertions'> = (w) => new AssertionSigner(w.get(tenants), w.get(vault), w.get(random), w.get(clock), w.config.issuer);

export const publisher: PartOf<'publisher'> = (w) => {
  if (w.overrides.publisher) return w.overrides.publisher;
  const { events } = w.config;
  return events.kind === 'eventbridge' ? new EventBridgePublisher(new EventBridgeClient({ region: w.config.region }), events.busName) : new LocalEventLog(events.file);
};

export const sms: PartOf<'sms'> = (w) => {
  if ('sms' in w.overrides) return w.overrides.sms;
  const { sms } = w.config;
  if (sms.kind === 'sns') return new SnsSmsSender(new SNSClient({ region: w.config.region }), sms);
  // the credentials are read from Secrets Manager once per container, on the first send
  if (sms.kind === 'twilio') {
    const credentials = secretsManagerSecret(new SecretsManagerClient({ region: w.config.region }), sms.secretId, TwilioCredentials);
    return new TwilioSmsSender({ credentials, ...(sms.apiUrl ? { baseUrl: sms.apiUrl } : {}) });
  }
  if (sms.kind === 'local') return new LocalSmsOutbox(w.get(clock), sms.outboxFile);
  return undefined;
};

export const email: PartOf<'email'> = (w) => {
  if ('email' in w.overrides) return w.overrides.email;
  const { email } = w.config;
  if (email.kind !== 'ses') return undefined;
  const client = new SESv2Client({
    region: w.config.region,
    ...(email.endpoint ? { endpoint: email.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return new SesEmailSender(client, email);
};
export const sendLimits: PartOf<'sendLimits'> = (w) => w.config.sendLimits;
