/**
 * The state every memory adapter shares, as the DynamoDB adapters share their tables: a user
 * change writes the user, their devices, their events and the tenant's counters at once, so the
 * stores that read those must see the same maps. Each adapter's methods do their checks and
 * their writes with no `await` in between: JS runs one of them at a time, so a check-and-set is
 * as atomic as DynamoDB's conditional write, and a change is all or nothing.
 *
 * What goes in and comes out is copied (structuredClone), as a database would: a caller that
 * changes an object it wrote or read changes nothing stored.
 */
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { SecurityEvent } from '@twofold/contract/events';
import { fail } from '@twofold/core/errors';
import type { SigningKeyRecord, TrustedDevice } from '@twofold/core/ports';
import type { ApiKeyRecord, ChallengeRecord, FactorRecord, PromptRecord, RecoverySet, TenantRecord, UserProfile, UserSummary } from '@twofold/core/records';

export interface MemoryProfile {
  fields: Partial<UserProfile>;
  summary: UserSummary;
  /** The user's revision (the Dynamo adapter's summaryVersion). */
  revision: number;
  /** In the grace index (the Dynamo adapter's graceKey): the scheduled job finds the user by graceEndsAtMs. */
  graceIndexed: boolean;
  graceEndsAtMs?: number;
}

/** The user's login state (the Dynamo adapter's login item; see dynamo-login-item.ts for why each part is there). */
export interface MemoryLogin {
  challenges: Map<string, ChallengeRecord>;
  /** The last TOTP step, last use and passkey signature counter, per factor. */
  steps: Map<string, number>;
  used: Map<string, number>;
  signs: Map<string, number>;
  /** The failure window's generation, its counts per generation, its limit and end. */
  gen?: number;
  fails: Map<number, number>;
  failuresMax?: number;
  windowEndsAtMs?: number;
  lastFailureAtMs?: number;
  /** Set while a failure window's lock event is not settled (the `lock-windows` index). */
  lockWindowOpenedAtMs?: number;
  challengeRevision?: number;
}

export interface MemoryUser {
  profile?: MemoryProfile;
  /** Without lastUsedStep, lastUsedAtMs and the signature counter: those live in the login state. */
  factors: Map<string, FactorRecord>;
  recovery?: RecoverySet;
  login?: MemoryLogin;
}

export interface MemoryEvent {
  event: SecurityEvent;
  /** Not yet published (the sparse `pending` index). */
  pending: boolean;
  publishAttempts: number;
  lastPublishError?: string;
}

export interface MemoryDevices {
  devices: Map<string, TrustedDevice>;
  ips: Map<string, { keepUntilMs: number; deviceIds: Set<string> }>;
}

export interface ListedKey {
  name: string;
  scope: ApiKeyRecord['scope'];
  createdAtMs: number;
}

export class MemoryTables {
  readonly users = new Map<string, MemoryUser>();
  /** Who holds a passkey credential id in a tenant, by `${tenantId}#${credentialId}`. */
  readonly credentialHolders = new Map<string, { userId: string; factorId: string }>();
  readonly stats = new Map<string, Record<string, number>>();
  readonly devices = new Map<string, MemoryDevices>();
  /** By `${tenantId}#${eventSortKey}`. */
  readonly events = new Map<string, MemoryEvent>();
  readonly tenants = new Map<string, TenantRecord>();
  signingKey: SigningKeyRecord | undefined;
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  readonly apiKeyLists = new Map<string, { listed: Map<string, ListedKey>; admins: Set<string> }>();
  /** Last use of each key, per tenant. */
  readonly keyUses = new Map<string, Map<string, number>>();
  readonly prompts = new Map<string, PromptRecord>();
  /** Send counts by `${counter} H#${hour}`. */
  readonly sends = new Map<string, number>();
  /** Containers checked in, per tenant and epoch second. */
  readonly census = new Map<string, Map<number, number>>();
  readonly backfills = new Map<string, { requestedAtMs: number; cursor?: string }>();
  /** Idempotency-Key records (memory-idempotency-records.ts), by their hashed key. */
  readonly idempotency = new Map<string, IdempotencyRecord>();

  user(tenantId: string, userId: string): MemoryUser | undefined {
    return this.users.get(userKey(tenantId, userId));
  }

  /** The user's entry, made empty if they have none (as a DynamoDB write makes the item it updates). */
  userForWrite(tenantId: string, userId: string): MemoryUser {
    const key = userKey(tenantId, userId);
    let user = this.users.get(key);
    if (!user) this.users.set(key, (user = { factors: new Map() }));
    return user;
  }

  devicesOf(tenantId: string, userId: string): MemoryDevices {
    const key = userKey(tenantId, userId);
    let devices = this.devices.get(key);
    if (!devices) this.devices.set(key, (devices = { devices: new Map(), ips: new Map() }));
    return devices;
  }

  /** Records an event as pending (a second record of one event replaces it, as a Put does). */
  putEvent(event: SecurityEvent): void {
    this.events.set(eventKey(event), { event: structuredClone(event), pending: true, publishAttempts: 0 });
  }

  addStats(tenantId: string, delta: Record<string, number>): void {
    const counts = this.stats.get(tenantId) ?? {};
    for (const [name, change] of Object.entries(delta)) counts[name] = (counts[name] ?? 0) + change;
    this.stats.set(tenantId, counts);
  }
}

/** Tenant ids hold no '#' (user ids may): the tenant comes first. */
export const userKey = (tenantId: string, userId: string) => `${tenantId}#${userId}`;

/** Events sort by time, then id, as the events table's sort key does. */
export const eventSortKey = (e: SecurityEvent) => `${e.at}#${e.eventId}`;
export const eventKey = (e: SecurityEvent) => `${e.tenantId}#${eventSortKey(e)}`;

export function emptyLogin(): MemoryLogin {
  return { challenges: new Map(), steps: new Map(), used: new Map(), signs: new Map(), fails: new Map() };
}

/**
 * A page's position as an opaque cursor, bound to the scope it pages through (a tenant, say): a
 * cursor made for another scope, or made up, is refused with a 400, as the Dynamo adapters do.
 */
export const memoryCursor = {
  encode: (scope: string, position: string): string => Buffer.from(JSON.stringify({ scope, position }), 'utf8').toString('base64url'),
  decode(cursor: string, scope: string): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && 'scope' in parsed && 'position' in parsed && parsed.scope === scope && typeof parsed.position === 'string') return parsed.position;
    return fail('invalid_request', 'The cursor is not valid: pass the nextCursor of the previous page unchanged.');
  },
};
