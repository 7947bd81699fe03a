import type { UserStatus } from '@twofold/contract/schemas';
import type { ChangeOutcome, UserChange, UserStore } from '@twofold/core/ports';
import type { FactorRecord, UserAggregate, UserProfile } from '@twofold/core/records';
import { applyLoginPatch, completionRefusal, failuresOf, writesLogin } from './memory-login';
import { emptyLogin, memoryCursor, userKey, type MemoryTables, type MemoryUser } from './memory-tables';

/**
 * Users in memory. A change is checked whole (the revision, the passkey credentials it claims
 * and gives up, the recovery code it spends, its login part's conditions) and then written whole,
 * with nothing awaited in between: all or nothing, and of racing changes on one revision one
 * commits. The outcomes are the Dynamo adapter's, in the same order of precedence.
 */
export class MemoryUserStore implements UserStore {
  constructor(private readonly tables: MemoryTables) {}

  async load(tenantId: string, userId: string): Promise<UserAggregate> {
    return this.read(tenantId, userId);
  }

  async loadMany(tenantId: string, userIds: string[]): Promise<UserAggregate[]> {
    return userIds.map((userId) => this.read(tenantId, userId));
  }

  async commit(change: UserChange): Promise<ChangeOutcome> {
    const outcome = this.check(change);
    if (outcome === 'committed') this.apply(change);
    return outcome;
  }

  /** Each change all or nothing; a change whose conditions fail is false (the caller reads again). */
  async commitMany(changes: UserChange[]): Promise<boolean[]> {
    for (const change of changes) {
      if (change.login) throw new Error('a change with a login part commits on its own');
      if (change.tenantId !== changes[0]?.tenantId) throw new Error('the changes committed together are of one tenant');
    }
    return changes.map((change) => {
      if (this.check(change) !== 'committed') return false;
      this.apply(change);
      return true;
    });
  }

  async replaceFactorCode(tenantId: string, userId: string, factorId: string, code: { codeHash: string; codeExpiresAtMs: number }): Promise<boolean> {
    const factor = this.tables.user(tenantId, userId)?.factors.get(factorId);
    if (factor?.status !== 'pending') return false;
    Object.assign(factor, code);
    return true;
  }

  async countFactorFailure(tenantId: string, userId: string, factorId: string, maxAttempts: number): Promise<number | false> {
    const factor = this.tables.user(tenantId, userId)?.factors.get(factorId);
    if (factor?.status !== 'pending' || factor.failedAttempts >= maxAttempts) return false;
    return ++factor.failedAttempts;
  }

  async summaries(tenantId: string, cursor: string | undefined, limit: number) {
    const { page, nextCursor } = this.page(tenantId, cursor, limit, () => true);
    return { summaries: page.map(([, user]) => structuredClone(user.summary)), nextCursor };
  }

  async listUsers(tenantId: string, query: { status?: UserStatus; role?: string; cursor?: string; limit: number }) {
    const { page, nextCursor } = this.page(tenantId, query.cursor, query.limit, (user) => {
      if (query.status && user.summary.status !== query.status) return false;
      return !query.role || (user.fields.roles ?? []).includes(query.role);
    });
    return { userIds: page.map(([userId]) => userId), nextCursor };
  }

  /** A tenant's profiles by user id (the `by-tenant` index), from after the cursor's user. */
  private page(tenantId: string, cursor: string | undefined, limit: number, keep: (profile: NonNullable<MemoryUser['profile']>) => boolean) {
    const after = cursor === undefined ? undefined : memoryCursor.decode(cursor, tenantId);
    const prefix = userKey(tenantId, '');
    const profiles = [...this.tables.users]
      .flatMap(([key, user]) => (key.startsWith(prefix) && user.profile ? [[key.slice(prefix.length), user.profile] as const] : []))
      .filter(([userId]) => after === undefined || userId > after)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const page: (typeof profiles)[number][] = [];
    let last: string | undefined;
    for (const entry of profiles) {
      if (page.length >= limit) break;
      last = entry[0];
      if (keep(entry[1])) page.push(entry);
    }
    const more = last !== undefined && profiles.some(([userId]) => userId > last);
    return { page, nextCursor: more && last !== undefined ? memoryCursor.encode(tenantId, last) : null };
  }

  private read(tenantId: string, userId: string): UserAggregate {
    const stored = this.tables.user(tenantId, userId);
    const user: UserAggregate = { factors: [], challenges: [] };
    if (!stored) return user;
    const login = stored.login;
    if (stored.profile) {
      // every change that creates a profile gives all of its fields (the Dynamo adapter reads back what was written, too)
      user.profile = structuredClone(stored.profile.fields) as UserProfile;
      user.summary = structuredClone(stored.profile.summary);
      user.summaryVersion = stored.profile.revision;
    }
    user.factors = [...stored.factors.values()]
      .map((stored): FactorRecord => {
        const factor = structuredClone(stored);
        // a factor's last use, and a passkey's signature counter, live in the login state
        const step = login?.steps.get(factor.factorId);
        const used = login?.used.get(factor.factorId);
        if (step !== undefined) factor.lastUsedStep = step;
        if (used !== undefined) factor.lastUsedAtMs = used;
        if (factor.type === 'webauthn' && factor.webauthn) factor.webauthn.signCount = login?.signs.get(factor.factorId) ?? 0;
        return factor;
      })
      .sort((a, b) => a.createdAtMs - b.createdAtMs);
    if (stored.recovery) user.recovery = structuredClone(stored.recovery);
    if (login) {
      user.challenges = [...login.challenges.values()].map((c) => structuredClone(c));
      user.challengeRevision = login.challengeRevision ?? 0;
      const failures = failuresOf(login);
      if (failures) user.failures = failures;
    }
    return user;
  }

  /** Whether the change may be written now, and if not why, as the Dynamo adapter's cancelled transaction says it. */
  private check(change: UserChange): ChangeOutcome {
    const { tenantId, userId } = change;
    const user = this.tables.user(tenantId, userId);
    const revision = user?.profile?.revision ?? 0;
    if (revision !== change.revision) return 'conflict';
    // a credential id is claimed only if no one (not even this user) holds it
    if ((change.credentials?.claim ?? []).some(({ credentialId }) => this.tables.credentialHolders.has(holderKey(tenantId, credentialId)))) return 'credential_taken';
    const completion = change.login?.delete ? undefined : change.login?.complete;
    if (completion) {
      const refused = completionRefusal(user?.login, completion);
      if (refused) return { refused };
    }
    const recovery = change.recovery;
    if (recovery && 'spend' in recovery && !user?.recovery?.hashes.includes(recovery.spend)) return 'conflict';
    // only the holder gives a credential id up (a passkey from before the holder items has none)
    for (const { credentialId, factorId } of change.credentials?.release ?? []) {
      const holder = this.tables.credentialHolders.get(holderKey(tenantId, credentialId));
      if (holder && (holder.userId !== userId || holder.factorId !== factorId)) return 'conflict';
    }
    return 'committed';
  }

  private apply(change: UserChange): void {
    const { tenantId, userId, summary } = change;
    const user = this.tables.userForWrite(tenantId, userId);
    if (change.erase) delete user.profile;
    else {
      const fields = user.profile?.fields ?? {};
      const { createdAtMs, ...set } = structuredClone(change.profile ?? {});
      if (createdAtMs !== undefined && fields.createdAtMs === undefined) fields.createdAtMs = createdAtMs;
      for (const [name, value] of Object.entries(set)) {
        if (value === undefined) Reflect.deleteProperty(fields, name);
        else Object.assign(fields, { [name]: value });
      }
      Object.assign(fields, { tenantId, userId });
      const inGrace = change.inGraceIndex && summary.graceEndsAtMs !== null;
      user.profile = {
        fields,
        summary: structuredClone(summary),
        revision: change.revision + 1,
        graceIndexed: inGrace,
        ...(inGrace && summary.graceEndsAtMs !== null ? { graceEndsAtMs: summary.graceEndsAtMs } : {}),
      };
    }
    const login = change.login;
    if (login?.delete) delete user.login;
    else if (login && writesLogin(login)) applyLoginPatch((user.login ??= emptyLogin()), login);
    for (const factor of change.putFactors ?? []) {
      const { lastUsedStep: _s, lastUsedAtMs: _u, ...stored } = structuredClone(factor);
      user.factors.set(factor.factorId, stored);
    }
    for (const factorId of change.deleteFactors ?? []) user.factors.delete(factorId);
    const recovery = change.recovery;
    if (recovery && 'put' in recovery) user.recovery = structuredClone(recovery.put);
    else if (recovery && 'remove' in recovery) delete user.recovery;
    else if (recovery && 'spend' in recovery && user.recovery) user.recovery.hashes = user.recovery.hashes.filter((h) => h !== recovery.spend);
    for (const { credentialId, factorId } of change.credentials?.claim ?? []) this.tables.credentialHolders.set(holderKey(tenantId, credentialId), { userId, factorId });
    for (const { credentialId } of change.credentials?.release ?? []) this.tables.credentialHolders.delete(holderKey(tenantId, credentialId));
    const devices = change.devices;
    if (devices) {
      const held = this.tables.devicesOf(tenantId, userId);
      if (devices.add) held.devices.set(devices.add.deviceId, structuredClone(devices.add));
      if (devices.rememberIp) {
        const { ipKey, keepUntilMs, deviceId } = devices.rememberIp;
        held.ips.set(ipKey, { keepUntilMs, deviceIds: new Set([...(held.ips.get(ipKey)?.deviceIds ?? []), deviceId]) });
      }
      for (const deviceId of devices.remove ?? []) held.devices.delete(deviceId);
      for (const ip of devices.forgetIps ?? []) held.ips.delete(ip);
    }
    for (const event of change.events) this.tables.putEvent(event);
    if (Object.keys(change.stats).length > 0) this.tables.addStats(tenantId, change.stats);
  }
}

const holderKey = (tenantId: string, credentialId: string) => `${tenantId}#${credentialId}`;
