/**
 * A tenant's API keys over their life: created (the key shown once), listed (never the key),
 * used (authenticated per request, with a per-container cache), and revoked. A key is
 * `tf_<keyId>.<secret>`; only SHA-256 of the 256-bit secret is stored (see tenants.ts).
 *
 * Authentication runs inside each function (no authorizer invocation per request): a key's
 * record is cached in the container for `ttlSeconds`, so a revoked key stops working in the
 * container that revoked it at once and in every other within that time. Unknown keys are cached
 * apart, in a small cache of their own, so that a burst of made-up keys can never push the valid
 * ones out (each made-up key costs one read, as it would without a cache).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyList, CreatedApiKey, Scope } from '@twofold/contract/schemas';
import { fail } from '../errors';
import type { ApiKeyStore, Clock, Random } from '../ports';

export type { ApiKeyEntry, ApiKeyStore, RevokeOutcome } from '../ports';
import type { ApiKeyRecord } from '../records';

const KEY_PATTERN = /^tf_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export const hashKeySecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');



export interface ApiKeyDeps {
  apiKeys: ApiKeyStore;
  random: Random;
  clock: Clock;
  /** Drops a key from this container's cache (after a revocation, so it stops working here at once). */
  forgetApiKey(keyId: string): void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A new key: the answer is the only place the key itself ever appears. */
export async function createApiKey(deps: Pick<ApiKeyDeps, 'apiKeys' | 'random' | 'clock'>, tenantId: string, input: { name: string; scope: Scope }): Promise<CreatedApiKey> {
  const keyId = Buffer.from(deps.random.bytes(8)).toString('hex');
  const secret = Buffer.from(deps.random.bytes(32)).toString('base64url');
  const createdAtMs = deps.clock.nowMs();
  await deps.apiKeys.create({ keyId, tenantId, scope: input.scope, name: input.name, secretHash: hashKeySecret(secret), createdAtMs });
  return { keyId, key: `tf_${keyId}.${secret}`, name: input.name, scope: input.scope, createdAt: iso(createdAtMs) };
}

export async function listApiKeys(deps: Pick<ApiKeyDeps, 'apiKeys'>, tenantId: string): Promise<ApiKeyList> {
  const keys = (await deps.apiKeys.list(tenantId)).sort((a, b) => a.createdAtMs - b.createdAtMs || a.keyId.localeCompare(b.keyId));
  return {
    keys: keys.map((k) => ({ keyId: k.keyId, name: k.name, scope: k.scope, prefix: `tf_${k.keyId}`, createdAt: iso(k.createdAtMs), lastUsedAt: k.lastUsedAtMs === null ? null : iso(k.lastUsedAtMs) })),
  };
}

export async function revokeApiKey(deps: Pick<ApiKeyDeps, 'apiKeys' | 'forgetApiKey'>, tenantId: string, keyId: string): Promise<void> {
  const outcome = await deps.apiKeys.revoke(tenantId, keyId);
  if (outcome === 'not_found') fail('api_key_not_found');
  if (outcome === 'last_admin_key') fail('last_admin_key');
  deps.forgetApiKey(keyId);
}

/** A map with a time to live per entry and a bound: when full, the oldest entry goes (never all of them). */
class BoundedTtlMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAtMs: number }>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, nowMs: number): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAtMs > nowMs) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, expiresAtMs: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAtMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export interface ApiKeyCacheOptions {
  /** How long a key's record (or its absence) is trusted in this container: a revoked key works here at most this long. */
  ttlSeconds: number;
  /** Valid keys kept (default 1000). */
  maxKeys?: number;
  /** Unknown keys kept, apart from the valid ones (default 256). */
  maxUnknownKeys?: number;
  /** A key's use is recorded at most this often (default a minute). */
  touchIntervalMs?: number;
}

/** Who is calling, from the `Authorization` header, for one container. */
export class ApiKeyAuthenticator {
  private readonly known: BoundedTtlMap<ApiKeyRecord>;
  private readonly unknown: BoundedTtlMap<true>;
  private readonly loading = new Map<string, Promise<ApiKeyRecord | undefined>>();
  private readonly touchedAtMs: BoundedTtlMap<number>;
  private readonly ttlMs: number;
  private readonly touchIntervalMs: number;

  constructor(
    private readonly deps: { apiKeys: Pick<ApiKeyStore, 'get' | 'touch'>; clock: Clock },
    options: ApiKeyCacheOptions,
  ) {
    this.ttlMs = options.ttlSeconds * 1000;
    this.known = new BoundedTtlMap(options.maxKeys ?? 1000);
    this.unknown = new BoundedTtlMap(options.maxUnknownKeys ?? 256);
    this.touchedAtMs = new BoundedTtlMap(options.maxKeys ?? 1000);
    this.touchIntervalMs = options.touchIntervalMs ?? 60_000;
  }

  /** The caller's tenant and scope; undefined for a missing, malformed, unknown or revoked key. */
  async authenticate(authorization: string | undefined): Promise<{ tenantId: string; scope: Scope; keyId: string; keyName: string } | undefined> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    const parts = match ? KEY_PATTERN.exec(match[1]!) : null;
    if (!parts) return undefined;
    const [, keyId, secret] = parts as unknown as [string, string, string];
    const record = await this.record(keyId);
    if (!record) return undefined;
    const expected = Buffer.from(record.secretHash, 'hex');
    const actual = Buffer.from(hashKeySecret(secret), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    await this.touch(record);
    return { tenantId: record.tenantId, scope: record.scope, keyId: record.keyId, keyName: record.name };
  }

  /** Forgets what this container knows of a key (it was revoked here). */
  forget(keyId: string): void {
    this.known.delete(keyId);
    this.unknown.delete(keyId);
  }

  private async record(keyId: string): Promise<ApiKeyRecord | undefined> {
    const now = this.deps.clock.nowMs();
    const hit = this.known.get(keyId, now);
    if (hit) return hit;
    if (this.unknown.get(keyId, now)) return undefined;
    // parallel first requests with one key share one read
    let pending = this.loading.get(keyId);
    if (!pending) {
      pending = this.deps.apiKeys.get(keyId).finally(() => this.loading.delete(keyId));
      this.loading.set(keyId, pending);
    }
    const record = await pending;
    const expiresAtMs = this.deps.clock.nowMs() + this.ttlMs;
    if (record) this.known.set(keyId, record, expiresAtMs);
    else this.unknown.set(keyId, true, expiresAtMs);
    return record;
  }

  /**
   * Records the use at most once per interval per key: this container skips the write when it
   * made one within the interval, and the store's write is conditional for the other containers.
   * A failure to record a use never fails the request.
   */
  private async touch(record: ApiKeyRecord): Promise<void> {
    const now = this.deps.clock.nowMs();
    if (this.touchedAtMs.get(record.keyId, now) !== undefined) return;
    this.touchedAtMs.set(record.keyId, now, now + this.touchIntervalMs);
    await this.deps.apiKeys.touch(record.tenantId, record.keyId, now, this.touchIntervalMs).catch(() => undefined);
  }
}
