/**
 * Importing users from another system (a migration): each user with the factors they already
 * proved there, active at once, so that an imported TOTP user logs in with the authenticator app
 * they already have. Each user is checked on its own and written in one change (the profile,
 * its factors, its recovery codes and one `factor.imported` per factor, together or not at all):
 * a user that fails is reported with its index and nothing of it is written. A user that already
 * has everything given — the same secret, phone or address, the same recovery codes — is
 * `unchanged`: nothing is written and nothing emitted, so a repeated import (a resumed file) is
 * harmless.
 */
import { ImportUser, type ImportBody, type ImportFailure, type ImportFactor, type ImportResult } from '@twofold/contract/schemas';
import type { CoreDeps } from '../deps';
import { normaliseEmail } from '../factors/codes/destinations';
import { DomainError } from '../errors';
import type { NewEvent } from '../events';
import { newId } from '../ids';
import type { TenantKeys } from '../keyring';
import type { FactorRecord, RecoverySet, SmsNumberType, TenantRecord, UserAggregate, UserProfile } from '../records';
import { recoveryCodeKey } from '../factors/recovery/recovery-codes';
import { codesOf, hashRecoveryCode, matchRecoveryCode, sealRecoveryCodes } from '../factors/recovery/recovery-code-sets';
import { seal } from '../secret-box';
import { base32Decode } from '../factors/totp/totp';
import { factorBinding, totpKeyOf } from '../factors/totp/totp-factor';
import { MAX_FACTORS_PER_USER } from './enrollment';
import { changeUsers, type ChangeDeps, type ChangeParts } from './user-change';

type ImportDeps = Pick<CoreDeps, 'keyRing'> & ChangeDeps;

/** A factor as it will be compared and stored: the secret decoded, the destination normalised. */
type Incoming =
  | { type: 'totp'; secret: Uint8Array; algorithm: 'sha1' | 'sha256' | 'sha512'; digits: 6 | 8; period: 30 | 60; label: string }
  | { type: 'sms'; e164: string; country: string; phoneType: SmsNumberType; label: string }
  | { type: 'email'; email: string; label: string };

/** A user of the request that passed its checks, with its factors as they will be compared and stored. */
interface Checked {
  index: number;
  user: ImportUser;
  incoming: Incoming[];
  recoveryKeys: string[] | undefined;
  /**
   * The factors this request proposed for the user: a store failure after the write took effect
   * leaves them in place, and the retry that finds them reports the user imported (not unchanged).
   */
  proposed: Set<string>;
}

/** The batch is read, decided and written together (changeUsers: a BatchGetItem a hundred users, several users a transaction), each user all or nothing. */
export async function importUsers(deps: ImportDeps, tenantId: string, body: ImportBody): Promise<ImportResult> {
  const tenant = await deps.tenant(tenantId);
  const keys = await deps.keyRing.keysFor(tenant);
  const outcomes: ('imported' | 'unchanged' | ImportFailure)[] = new Array(body.users.length);
  const checked: Checked[] = [];
  for (const [index, raw] of body.users.entries()) {
    const outcome = await check(tenant, index, raw);
    if ('incoming' in outcome) checked.push(outcome);
    else outcomes[index] = outcome;
  }
  const results = await changeUsers(
    deps,
    tenantId,
    checked.map((c) => c.user.userId),
    (current, _tenant, k) => {
      const c = checked[k];
      if (!c) throw new Error('a decision for a user not asked for');
      return decide(deps, tenant, keys, current, c);
    },
  );
  results.forEach((result, k) => {
    const c = checked[k];
    if (!c) return;
    if (result.status === 'fulfilled') outcomes[c.index] = result.value;
    else if (result.reason instanceof DomainError) outcomes[c.index] = failure(c.index, c.user.userId, result.reason);
    // the store failed for this user again and again: so does the request (the CLI sends the batch again; an import is idempotent)
    else throw result.reason;
  });
  return {
    imported: outcomes.filter((o) => o === 'imported').length,
    unchanged: outcomes.filter((o) => o === 'unchanged').length,
    failed: outcomes.filter((o): o is ImportFailure => typeof o === 'object'),
  };
}

const failure = (index: number, userId: string | null, error: DomainError): ImportFailure => ({ index, userId, error: { code: error.code, message: error.message === error.code ? error.code : error.message } });

/** A user of the request checked on its own: the fields, the secrets, the destinations, the recovery codes. */
async function check(tenant: TenantRecord, index: number, raw: unknown): Promise<Checked | ImportFailure> {
  const parsed = ImportUser.safeParse(raw);
  const givenId = typeof raw === 'object' && raw !== null && typeof (raw as { userId?: unknown }).userId === 'string' ? (raw as { userId: string }).userId : null;
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'user'}: ${i.message}`).join('; ');
    return { index, userId: givenId, error: { code: 'invalid_request', message } };
  }
  const user = parsed.data;
  try {
    const incoming = await normaliseFactors(tenant, user.factors);
    const recoveryKeys = user.recoveryCodes?.map((c) => recoveryCodeKey(c) ?? refuse(`recoveryCodes: "${c.length} characters" is not a recovery code`));
    return { index, user, incoming, recoveryKeys, proposed: new Set() };
  } catch (error) {
    if (error instanceof DomainError) return failure(index, user.userId, error);
    throw error;
  }
}

const refuse = (message: string): never => {
  throw new DomainError('invalid_request', message);
};

async function normaliseFactors(tenant: TenantRecord, factors: ImportFactor[]): Promise<Incoming[]> {
  const out: Incoming[] = [];
  for (const f of factors) {
    if (f.type === 'totp') {
      out.push({ type: 'totp', secret: base32Decode(f.secret), algorithm: f.algorithm, digits: f.digits, period: f.period, label: f.label ?? 'Authenticator app' });
    } else if (f.type === 'sms') {
      const { checkSmsDestination } = await import('../factors/codes/phone-numbers');
      const phone = checkSmsDestination(f.phone, tenant.policy.sms.allowedCountries);
      out.push({ type: 'sms', e164: phone.e164, country: phone.country, phoneType: phone.type, label: f.label ?? 'Phone' });
    } else out.push({ type: 'email', email: normaliseEmail(f.email), label: f.label ?? 'Email' });
  }
  for (let i = 0; i < out.length; i++) {
    for (let j = 0; j < i; j++) if (sameIncoming(out[i]!, out[j]!)) throw new DomainError('duplicate_destination', `factors.${i} is the same factor as factors.${j}.`);
  }
  return out;
}

function sameIncoming(a: Incoming, b: Incoming): boolean {
  if (a.type === 'totp' && b.type === 'totp') return Buffer.from(a.secret).equals(Buffer.from(b.secret));
  if (a.type === 'sms' && b.type === 'sms') return a.e164 === b.e164;
  if (a.type === 'email' && b.type === 'email') return a.email === b.email;
  return false;
}

/** Whether the user already has this factor (active or pending): a TOTP one by its secret and parameters, a phone or address by its destination. */
function holds(keys: TenantKeys, tenantId: string, userId: string, existing: FactorRecord, f: Incoming): boolean {
  if (f.type === 'totp') {
    if (existing.type !== 'totp') return false;
    try {
      const key = totpKeyOf(keys, tenantId, userId, existing);
      return Buffer.from(key.secret).equals(Buffer.from(f.secret)) && key.algorithm === f.algorithm && key.digits === f.digits && key.period === f.period;
    } catch {
      return false;
    }
  }
  if (existing.type === 'totp' || existing.type === 'webauthn' || existing.type !== f.type) return false;
  return existing.destination === (f.type === 'sms' ? f.e164 : f.email);
}

function decide(deps: ImportDeps, tenant: TenantRecord, keys: TenantKeys, current: UserAggregate, { user, incoming, recoveryKeys, proposed }: Checked) {
  const { tenantId } = tenant;
  const { userId } = user;
  const now = deps.clock.nowMs();
  const missing = incoming.filter((f) => !current.factors.some((e) => holds(keys, tenantId, userId, e, f)));
  // a phone or address the user has as a pending factor is taken over by the imported (active) one
  const superseded = current.factors.filter((e) => e.status === 'pending' && missing.some((f) => f.type !== 'totp' && holds(keys, tenantId, userId, e, f)));
  if (current.factors.length - superseded.length + missing.length > MAX_FACTORS_PER_USER) {
    throw new DomainError('too_many_factors', `A user may have at most ${MAX_FACTORS_PER_USER} factors; the user has ${current.factors.length} and the import adds ${missing.length}.`);
  }
  const putFactors = missing.map((f) => factorOf(deps, tenantId, userId, keys, f, now));
  const profile: Partial<Omit<UserProfile, 'tenantId' | 'userId'>> = {};
  if (!current.profile) Object.assign(profile, { roles: [], sso: false, createdAtMs: now });
  if (user.email !== undefined && current.profile?.email !== user.email) profile.email = user.email;
  if (user.phone !== undefined && current.profile?.phone !== user.phone) profile.phone = user.phone;
  if (user.roles !== undefined && !sameRoles(current.profile?.roles ?? [], user.roles)) {
    profile.roles = user.roles;
    profile.roleSince = Object.fromEntries(user.roles.map((r) => [r, current.profile?.roleSince?.[r] ?? now]));
  }
  const recovery = recoveryKeys && !sameRecovery(keys, tenantId, userId, current.recovery, user.recoveryCodes ?? []) ? importedRecoverySet(deps, tenantId, userId, keys, user.recoveryCodes ?? [], recoveryKeys, now) : undefined;
  const changed = putFactors.length > 0 || Object.keys(profile).length > 0 || recovery !== undefined;
  if (!changed) return { result: current.factors.some((f) => proposed.has(f.factorId)) ? ('imported' as const) : ('unchanged' as const) };
  for (const f of putFactors) proposed.add(f.factorId);
  const change: ChangeParts = {
    ...(Object.keys(profile).length > 0 ? { profile: { ...profile, updatedAtMs: now } } : {}),
    ...(putFactors.length > 0 ? { putFactors } : {}),
    ...(superseded.length > 0 ? { deleteFactors: superseded.map((f) => f.factorId) } : {}),
    ...(recovery ? { recovery: { put: recovery } } : {}),
  };
  const events: NewEvent[] = putFactors.map((f) => ({ type: 'factor.imported', tenantId, userId, actor: 'admin', detail: { factorId: f.factorId, factorType: f.type } }));
  // as at an enrolment: the user's first active factor turns two-factor on
  const firstActive = putFactors.length > 0 && !current.factors.some((f) => f.status === 'active');
  if (firstActive) events.push({ type: 'two_factor.enabled', tenantId, userId, actor: 'admin' });
  return { change, events, result: 'imported' as const };
}

function factorOf(deps: ImportDeps, tenantId: string, userId: string, keys: TenantKeys, f: Incoming, now: number): FactorRecord {
  const factorId = newId(deps.random, 'f');
  const base = { factorId, label: f.label, status: 'active' as const, createdAtMs: now, activatedAtMs: now, failedAttempts: 0 };
  if (f.type === 'totp') {
    // sealed exactly as an enrolled secret: AES-256-GCM under the tenant's data key, bound to tenant + user + factor
    return { ...base, type: 'totp', totp: { sealedSecret: seal(keys.sealKey, deps.random, f.secret, factorBinding(tenantId, userId, factorId)), algorithm: f.algorithm, digits: f.digits, period: f.period } };
  }
  if (f.type === 'sms') return { ...base, type: 'sms', destination: f.e164, phoneCountry: f.country, phoneType: f.phoneType };
  return { ...base, type: 'email', destination: f.email };
}

const sameRoles = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** Whether the user's unused codes are exactly the ones given. */
function sameRecovery(keys: TenantKeys, tenantId: string, userId: string, set: RecoverySet | undefined, codes: string[]): boolean {
  if (!set) return false;
  // each stored code has its own salt: the given codes must match the stored ones one to one
  const matched = new Set(codes.map((c) => matchRecoveryCode(keys.hashKey, tenantId, userId, set.hashes, c)));
  return !matched.has(undefined) && matched.size === set.hashes.length && codesOf(keys, tenantId, userId, set).length >= matched.size;
}

function importedRecoverySet(deps: ImportDeps, tenantId: string, userId: string, keys: TenantKeys, codes: string[], codeKeys: string[], now: number): RecoverySet {
  return {
    // one stored code per distinct code (each with its own salt)
    hashes: [...new Map(codes.map((c, i) => [codeKeys[i], c])).values()].map((c) => hashRecoveryCode(deps.random, keys.hashKey, tenantId, userId, c)),
    sealedCodes: sealRecoveryCodes(keys, deps.random, tenantId, userId, codes),
    createdAtMs: now,
  };
}
