/**
 * Changing a user. A use case decides on what one read of the user shows; the change, its
 * security events, the overview counters it moves and the summary the scheduled job reads are
 * then committed together (one DynamoDB transaction), conditional on the user's revision being
 * still the one read. Of racing changes one commits; each of the others decides again on what
 * the winner left — so that events follow from committed state, never from a write that may or
 * may not have happened, and a retry after a failure at any point emits nothing twice.
 */
import type { SecurityEvent } from '@twofold/contract/events';
import type { CoreDeps } from './deps';
import { sameSummary, summarise, summaryDelta } from './enforcement';
import { fail } from './errors';
import { publishRecorded, stampEvents, type NewEvent } from './events';
import type { CompletionOutcome, UserChange } from './ports';
import { credentialProblemMessages } from './webauthn-relying-party';
import type { TenantRecord, UserAggregate, UserProfile } from './records';

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
    const parts = withSecurityEpoch(deps, user, decision.change ?? {});
    const after = applyParts(user, parts, tenantId, userId, deps.clock.nowMs());
    const credentials = credentialChanges(user, parts.erase ? { ...user, factors: [] } : after);
    const newEvents = decision.events ?? [];
    if (parts.erase) {
      const events = stampEvents(deps, newEvents);
      // the user's share of the overview goes with them
      const stats = user.summary ? Object.fromEntries(Object.entries(summaryDelta(undefined, user.summary)).map(([k, v]) => [k, -v])) : {};
      const outcome = await deps.users.commit({ tenantId, userId, revision: user.summaryVersion ?? 0, ...parts, ...credentials, summary: user.summary ?? summarise(tenant, user), inGraceIndex: false, events, auditRetentionDays: tenant.policy.auditRetentionDays, stats });
      if (outcome === 'committed') {
        await publishRecorded(deps, events);
        return decision.result;
      }
      continue;
    }
    if (!after.profile) {
      if (Object.keys(parts).length === 0 && newEvents.length === 0) return decision.result;
      throw new Error('a change to a user without a profile must create it');
    }
    const summary = summarise(tenant, after);
    const summaryMoved = !user.summary || !sameSummary(user.summary, summary);
    if (Object.keys(parts).length === 0 && newEvents.length === 0 && !summaryMoved) return decision.result;
    const events: SecurityEvent[] = stampEvents(deps, newEvents);
    const outcome = await deps.users.commit({
      tenantId,
      userId,
      revision: user.summaryVersion ?? 0,
      ...parts,
      ...credentials,
      summary,
      inGraceIndex: inGraceIndex(after, summary.graceEndsAtMs),
      events,
      auditRetentionDays: tenant.policy.auditRetentionDays,
      stats: summaryDelta(user.summary, summary),
    });
    if (outcome === 'committed') {
      await publishRecorded(deps, events);
      return decision.result;
    }
    if (outcome === 'credential_taken') return fail('invalid_credential', credentialProblemMessages.registered_elsewhere);
    if (outcome !== 'conflict') {
      if (!decision.loginRefused) throw new Error('a login was refused in a change that carries none');
      return decision.loginRefused(outcome.refused);
    }
  }
  // so many changes raced that this one never got its turn: nothing of it was written
  return fail('service_unavailable', 'The user is being changed by many requests at once; retry shortly.', { retryAfterSeconds: 1 });
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
  const held = (u: UserAggregate) => new Map(u.factors.flatMap((f) => (f.webauthn ? [[f.factorId, f.webauthn.credentialId] as const] : [])));
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
