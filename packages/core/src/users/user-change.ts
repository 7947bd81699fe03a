/**
 * Changing a user. A use case decides on what one read of the user shows; the change, its
 * security events, the overview counters it moves and the summary the scheduled job reads are
 * then committed together (one DynamoDB transaction), conditional on the user's revision being
 * still the one read. Of racing changes one commits; each of the others decides again on what
 * the winner left — so that events follow from committed state, never from a write that may or
 * may not have happened, and a retry after a failure at any point emits nothing twice.
 */
import type { CoreDeps } from '../deps';
import { sameSummary, summarise, summaryDelta } from './enforcement';
import { DomainError, fail } from '../errors';
import { publishRecorded, stampEvents, type NewEvent } from '../events';
import type { CompletionOutcome, UserChange } from '../ports';
import { credentialProblemMessages } from '../factors/webauthn/webauthn-relying-party';
import type { TenantRecord, UserAggregate, UserProfile } from '../records';

/** What a use case writes: the parts of a UserChange it decides (the rest is derived here). */
export type ChangeParts = Omit<UserChange, 'tenantId' | 'userId' | 'revision' | 'summary' | 'inGraceIndex' | 'events' | 'stats' | 'credentials'>;

export interface Decision<R> {
  change?: ChangeParts;
  events?: NewEvent[];
  result: R;
  /** The change carried a login (ChallengeCompletion) whose conditions did not hold: say why. */
  loginRefused?: (reason: CompletionOutcome) => Promise<R>;
}

export type ChangeDeps = Pick<CoreDeps, 'clock' | 'random' | 'tenant' | 'users' | 'outbox' | 'publisher'>;

/** Decisions lost to racing changes before giving up (each loser reads again and decides again). */
const MAX_ATTEMPTS = 30;

const iso = (ms: number) => new Date(ms).toISOString();

export async function changeUser<R>(
  deps: ChangeDeps,
  tenantId: string,
  userId: string,
  decide: (user: UserAggregate, tenant: TenantRecord) => Decision<R> | Promise<Decision<R>>,
): Promise<R> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [tenant, user] = await Promise.all([deps.tenant(tenantId), deps.users.load(tenantId, userId)]);
    const decision = await decide(user, tenant);
    const change = prepare(deps, tenant, user, userId, decision);
    if (!change) return decision.result;
    const outcome = await deps.users.commit(change);
    if (outcome === 'committed') {
      await publishRecorded(deps, change.events);
      return decision.result;
    }
    if (change.erase) continue;
    if (outcome === 'credential_taken') return fail('invalid_credential', credentialProblemMessages.registered_elsewhere);
    if (outcome !== 'conflict') {
      if (!decision.loginRefused) throw new Error('a login was refused in a change that carries none');
      return decision.loginRefused(outcome.refused);
    }
  }
  // so many changes raced that this one never got its turn: nothing of it was written
  return fail('service_unavailable', 'The user is being changed by many requests at once; retry shortly.', { retryAfterSeconds: 1 });
}

/** Tries a user of a batch again after a store failure of the moment (a change is all or nothing, so a retry is safe). */
const TRANSIENT_RETRIES = 3;

/** Users of a batch that did not commit together, changed one by one this many at a time. */
const CONCURRENT_ALONE = 16;

/**
 * Many users of one tenant changed at once (an import): one read of them all
 * (UserStore.loadMany), each decided on its own, and the changes committed several users to a
 * transaction (UserChanges.commitMany), each user's all or nothing; their events are published
 * together. A user whose transaction did not commit (a racing change, a store failure before or
 * after it took effect), or who comes again later in the batch, is then changed on their own
 * through changeUser: read again, decided again. So each user ends as if changed one by one.
 * A decision may carry no login part. The results are in the order of `userIds`.
 */
export async function changeUsers<R>(
  deps: ChangeDeps,
  tenantId: string,
  userIds: string[],
  decide: (user: UserAggregate, tenant: TenantRecord, index: number) => Decision<R> | Promise<Decision<R>>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(userIds.length);
  const firsts = new Map<string, number>();
  userIds.forEach((userId, i) => firsts.has(userId) || firsts.set(userId, i));
  const together = [...firsts.values()];
  const alone = userIds.flatMap((userId, i) => (firsts.get(userId) === i ? [] : [i]));
  const tenant = await deps.tenant(tenantId);
  const users = await deps.users.loadMany(tenantId, together.map((i) => userIds[i] ?? ''));
  const pending: { index: number; change: UserChange; result: R }[] = [];
  await Promise.all(
    together.map(async (index, k) => {
      const user = users[k];
      if (!user) throw new Error('loadMany answered fewer users than asked');
      try {
        const decision = await decide(user, tenant, index);
        if (decision.change?.login || decision.loginRefused) throw new Error('a login is changed on its own (changeUser)');
        const change = prepare(deps, tenant, user, userIds[index] ?? '', decision);
        if (change) pending.push({ index, change, result: decision.result });
        else results[index] = { status: 'fulfilled', value: decision.result };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }),
  );
  const committed = pending.length > 0 ? await deps.users.commitMany(pending.map((p) => p.change)) : [];
  pending.forEach((p, k) => {
    if (committed[k]) results[p.index] = { status: 'fulfilled', value: p.result };
    else alone.push(p.index);
  });
  await publishRecorded(
    deps,
    pending.flatMap((p, k) => (committed[k] ? p.change.events : [])),
  );
  // one by one: a user's entries in their order, different users a few at a time
  const queues = new Map<string, number[]>();
  for (const index of alone.sort((a, b) => a - b)) queues.set(userIds[index] ?? '', [...(queues.get(userIds[index] ?? '') ?? []), index]);
  const work = [...queues.values()];
  const worker = async () => {
    for (let queue = work.shift(); queue; queue = work.shift()) {
      for (const index of queue) {
        for (let attempt = 0; ; attempt++) {
          try {
            results[index] = { status: 'fulfilled', value: await changeUser(deps, tenantId, userIds[index] ?? '', (user, t) => decide(user, t, index)) };
            break;
          } catch (reason) {
            if (reason instanceof DomainError || attempt >= TRANSIENT_RETRIES) {
              results[index] = { status: 'rejected', reason };
              break;
            }
          }
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_ALONE, work.length) }, worker));
  return results;
}

/**
 * The UserChange a decision comes to (undefined: nothing to write): the security epoch, the
 * passkey credentials claimed and released, the summary and the counters it moves, the events
 * stamped — derived here, once for every use case.
 */
function prepare<R>(deps: ChangeDeps, tenant: TenantRecord, user: UserAggregate, userId: string, decision: Decision<R>): UserChange | undefined {
  const { tenantId } = tenant;
  const parts = withSecurityEpoch(deps, user, decision.change ?? {});
  const after = applyParts(user, parts, tenantId, userId, deps.clock.nowMs());
  const credentials = credentialChanges(user, parts.erase ? { ...user, factors: [] } : after);
  const newEvents = decision.events ?? [];
  const common = { tenantId, userId, revision: user.summaryVersion ?? 0, ...parts, ...credentials, auditRetentionDays: tenant.policy.auditRetentionDays };
  if (parts.erase) {
    // the user's share of the overview goes with them
    const stats = user.summary ? Object.fromEntries(Object.entries(summaryDelta(undefined, user.summary)).map(([k, v]) => [k, -v])) : {};
    return { ...common, summary: user.summary ?? summarise(tenant, user), inGraceIndex: false, events: stampEvents(deps, newEvents), stats };
  }
  if (!after.profile) {
    if (Object.keys(parts).length === 0 && newEvents.length === 0) return undefined;
    throw new Error('a change to a user without a profile must create it');
  }
  const summary = summarise(tenant, after);
  const summaryMoved = !user.summary || !sameSummary(user.summary, summary);
  if (Object.keys(parts).length === 0 && newEvents.length === 0 && !summaryMoved) return undefined;
  return { ...common, summary, inGraceIndex: inGraceIndex(after, summary.graceEndsAtMs), events: stampEvents(deps, newEvents), stats: summaryDelta(user.summary, summary) };
}

/**
 * A new security epoch (UserProfile.securityEpoch) for a new profile, and for a change that
 * alters what a verification proved: a factor removed (one, all, or by a reset), the recovery
 * codes replaced or removed. Decided here, once for every use case, from what the change does.
 */
function withSecurityEpoch(deps: Pick<ChangeDeps, 'random'>, user: UserAggregate, parts: ChangeParts): ChangeParts {
  if (parts.erase) return parts;
  const created = !user.profile && parts.profile !== undefined;
  const moved = (parts.deleteFactors?.length ?? 0) > 0 || (parts.recovery !== undefined && !('spend' in parts.recovery));
  if (!created && !(moved && (user.profile || parts.profile))) return parts;
  return { ...parts, profile: { ...parts.profile, securityEpoch: Buffer.from(deps.random.bytes(12)).toString('base64url') } };
}

/**
 * The passkey credential ids the change claims (factors it adds with a credential) and releases
 * (factors it deletes, or all of an erased user's): decided here, so that no use case that adds
 * or removes a passkey can forget the tenant-wide uniqueness of its credential id.
 */
function credentialChanges(before: UserAggregate, after: UserAggregate): Pick<UserChange, 'credentials'> {
  const held = (u: UserAggregate) => new Map(u.factors.flatMap((f) => (f.type === 'webauthn' && f.webauthn ? [[f.factorId, f.webauthn.credentialId] as const] : [])));
  const was = held(before);
  const now = held(after);
  const claim = [...now].filter(([factorId]) => !was.has(factorId)).map(([factorId, credentialId]) => ({ factorId, credentialId }));
  const release = [...was].filter(([factorId]) => !now.has(factorId)).map(([factorId, credentialId]) => ({ factorId, credentialId }));
  return claim.length || release.length ? { credentials: { claim, release } } : {};
}

/** Whether the scheduled job should still find the user by their deadline: until it marked them for it and sent (or had no address for) the notice. */
function inGraceIndex(user: UserAggregate, graceEndsAtMs: number | null): boolean {
  if (graceEndsAtMs === null) return false;
  const deadline = iso(graceEndsAtMs);
  const done = user.profile?.expiredFor === deadline && (user.profile.expiredNoticeFor === deadline || !user.profile.email);
  return !done;
}

/** Keeps the user's summary in step (after a policy change moved their deadline, say). */
export const syncUser = (deps: ChangeDeps, tenantId: string, userId: string) => changeUser(deps, tenantId, userId, () => ({ result: undefined }));

/** The user as the change would leave them: what the summary is computed from. */
export function applyParts(user: UserAggregate, parts: ChangeParts, tenantId: string, userId: string, nowMs: number): UserAggregate {
  const profile: UserProfile | undefined = parts.profile
    ? ({ tenantId, userId, roles: [], sso: false, createdAtMs: nowMs, updatedAtMs: nowMs, ...user.profile, ...parts.profile } as UserProfile)
    : user.profile;
  const deleted = new Set(parts.deleteFactors ?? []);
  const put = new Map((parts.putFactors ?? []).map((f) => [f.factorId, f]));
  const factors = [...user.factors.filter((f) => !deleted.has(f.factorId) && !put.has(f.factorId)), ...put.values()].sort((a, b) => a.createdAtMs - b.createdAtMs);
  let recovery = user.recovery;
  const r = parts.recovery;
  if (r && 'put' in r) recovery = r.put;
  else if (r && 'remove' in r) recovery = undefined;
  else if (r && 'spend' in r && recovery) recovery = { ...recovery, hashes: recovery.hashes.filter((h) => h !== r.spend) };
  return { ...user, ...(profile ? { profile } : {}), factors, ...(recovery ? { recovery } : { recovery: undefined }) };
}
