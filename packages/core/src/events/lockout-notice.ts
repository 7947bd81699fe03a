/**
 * Telling the user of a lockout (ASVS 5.0 6.3.4), off the login's hot path: the event relay,
 * which settles every lock window (events.ts relayPendingEvents), calls this for each window
 * that reached its limit. At most once per lockout: `user.lockout_notified` is recorded first,
 * under an id and time derived from the lock's event, with one conditional write, and only the
 * caller whose write created it sends the email. Parallel relays and retries find it there and
 * send nothing. The cost of that order: a relay that dies (or a sender that fails) between the
 * claim and the send loses that one notice — never a second email (docs/security.md).
 */
import type { SecurityEvent } from '@twofold/contract/events';
import { createHash } from 'node:crypto';
import type { CoreDeps } from '../deps';
import { publishRecorded } from './event-publishing';
import { composeLockoutMessage } from './messages';
import type { UserReader } from '../ports';
import type { EmailFactorRecord, UserAggregate } from '../records';

export type LockoutNoticeDeps = Pick<CoreDeps, 'outbox' | 'publisher' | 'tenant' | 'email'> & { users: UserReader };

/** The address on file: the profile's email, else an active email factor's. */
export function emailOnFile(user: UserAggregate): string | undefined {
  return user.profile?.email ?? user.factors.find((f): f is EmailFactorRecord => f.type === 'email' && f.status === 'active')?.destination;
}

/** The notice's event: its id from the lock's (one per lockout), its time the lock's (the event's key holds it, so every writer writes the same item). */
export function lockoutNotifiedEvent(lock: SecurityEvent, channel: 'email' | 'none'): SecurityEvent {
  return {
    eventId: `ev_locknote_${createHash('sha256').update(lock.eventId).digest('base64url').slice(0, 22)}`,
    type: 'user.lockout_notified',
    tenantId: lock.tenantId,
    userId: lock.userId,
    at: lock.at,
    actor: 'system',
    detail: { lockEventId: lock.eventId, channel },
  };
}

export type LockoutNoticeOutcome = 'sent' | 'no_address' | 'already' | 'failed';

/** Claims the notice of the lock `lock` (a `user.locked` event) and, if this call claimed it, emails it. */
export async function notifyLockout(deps: LockoutNoticeDeps, lock: SecurityEvent): Promise<LockoutNoticeOutcome> {
  if (lock.type !== 'user.locked' || lock.userId === null) return 'already';
  const user = await deps.users.load(lock.tenantId, lock.userId);
  const to = deps.email ? emailOnFile(user) : undefined;
  const event = lockoutNotifiedEvent(lock, to ? 'email' : 'none');
  // the claim: whoever else sees this lock (a parallel relay, a retry) finds it and sends nothing
  if (!(await deps.outbox.recordOnce(event))) return 'already';
  await publishRecorded(deps, [event]);
  if (!to || !deps.email) return 'no_address';
  const tenant = await deps.tenant(lock.tenantId);
  const lockedSeconds = (Date.parse(String(lock.detail.lockedUntil)) - Date.parse(lock.at)) / 1000;
  const message = composeLockoutMessage({ tenantName: tenant.name, messages: tenant.policy.messages, locale: user.profile?.locale, lockedSeconds });
  try {
    await deps.email.send({ to, subject: message.subject, text: message.text, html: message.html, ...(message.fromName ? { fromName: message.fromName } : {}) });
    return 'sent';
  } catch {
    // claimed, not sent: not retried (a retry could send a second notice when the first did go out)
    return 'failed';
  }
}
