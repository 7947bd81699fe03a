/**
 * Tenants and their API keys. A key is `tf_<keyId>.<secret>`: the key id finds the record, and
 * only a SHA-256 hash of the 256-bit secret is stored, compared in constant time. (A fast hash
 * is right here: the secret is random and long, not a password, so it cannot be guessed.)
 */
import { Policy, type Scope, type TenantQuota } from '@twofold/contract/schemas';
import { hashKeySecret } from './api-keys';
import { ensureSigningKey } from '../login/assertions';
import type { CoreDeps } from '../deps';
import { fail } from '../errors';
import { newId } from '../ids';
import { dataKeyContext } from '../keyring';
import type { KeyVault, Random, TenantDirectory, Clock } from '../ports';
import type { TenantRecord } from '../records';
import type { TtlCache } from '../ttl-cache';

export interface NewTenant {
  tenantId: string;
  appKey: string;
  adminKey: string;
}

export async function createTenant(
  deps: { tenants: TenantDirectory; vault: KeyVault; random: Random; clock: Clock },
  input: { name: string; tenantId?: string; quota?: TenantQuota },
): Promise<NewTenant> {
  // the deployment's signing key comes with its first tenant: the functions only read it
  await ensureSigningKey({ signingKeys: deps.tenants, vault: deps.vault, random: deps.random, clock: deps.clock });
  const tenantId = input.tenantId ?? newId(deps.random, 'tn');
  const { wrapped } = await deps.vault.generateDataKey(dataKeyContext(tenantId));
  const now = deps.clock.nowMs();
  const tenant: TenantRecord = {
    tenantId,
    name: input.name,
    createdAtMs: now,
    wrappedDataKey: wrapped,
    policy: Policy.parse({ totp: { issuer: input.name } }),
    ...(input.quota ? { quota: input.quota } : {}),
  };
  if (!(await deps.tenants.createTenant(tenant))) fail('invalid_request', `tenant ${tenantId} exists already`);
  const appKey = await issueApiKey(deps, tenantId, 'app');
  const adminKey = await issueApiKey(deps, tenantId, 'admin');
  return { tenantId, appKey, adminKey };
}

export async function issueApiKey(
  deps: { tenants: TenantDirectory; random: Random; clock: Clock },
  tenantId: string,
  scope: Scope,
): Promise<string> {
  const keyId = Buffer.from(deps.random.bytes(8)).toString('hex');
  const secret = Buffer.from(deps.random.bytes(32)).toString('base64url');
  await deps.tenants.putApiKey({ keyId, tenantId, scope, name: `initial ${scope} key`, secretHash: hashKeySecret(secret), createdAtMs: deps.clock.nowMs() });
  return `tf_${keyId}.${secret}`;
}

export function loadTenant(deps: Pick<CoreDeps, 'tenants'>, cache: TtlCache<TenantRecord>, tenantId: string): Promise<TenantRecord> {
  return cache.get(tenantId, async () => {
    const tenant = await deps.tenants.getTenant(tenantId);
    // an API key whose tenant is gone is as good as no key
    if (!tenant) fail('unauthorized');
    return tenant!;
  });
}
