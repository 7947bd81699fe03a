/**
 * The scheduled grace-period job over 800 users on the suite's DynamoDB Local, run twice at once: it marks
 * exactly the users whose grace period ended without a factor (admins, not SSO, not enrolled)
 * and sends each of them exactly one notice; the reminders before the deadline go out once each.
 * 800 users put about 270 due users (and more in grace) in the job's index: 3 pages of 100 or more
 * for each of the two runs to race over, page by page, as the 2,000 users of before did with 7.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChallenge, putPolicy, putUser, syncUser, type CoreDeps, type EmailSender } from '@twofold/core';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { Policy } from '@twofold/contract';
import { enrolTotpDirect } from '../support/core-users';
import { ManualClock } from '../support/fakes';

const USERS = 800;
const DAY_SECONDS = 86_400;

/** Remembers every email; can be told to fail for some addresses. */
class RecordingEmail implements EmailSender {
  sent: { to: string; subject: string }[] = [];
  failFor = new Set<string>();
  async send(message: { to: string; subject: string }) {
    if (this.failFor.has(message.to)) throw new Error('MessageRejected');
    this.sent.push({ to: message.to, subject: message.subject });
  }
  count(to: string, subject: RegExp) {
    return this.sent.filter((m) => m.to === to && subject.test(m.subject)).length;
  }
}

const clock = new ManualClock();
const email = new RecordingEmail();
let runtime: LocalRuntime;
let tenantId: string;
const expectedExpired = new Set<string>();
const withEmail = (i: number) => i % 13 !== 0;
const userIdOf = (i: number) => `user-${String(i).padStart(4, '0')}`;

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

beforeAll(async () => {
  runtime = await startLocalRuntime({ port: 0, clock, graceTimer: false, senders: { email } });
  ({ tenantId } = await runtime.createTenant('Acme Corp'));
  const deps: CoreDeps = runtime.deps;
  const indexes = Array.from({ length: USERS }, (_, i) => i);
  await inParallel(indexes, 16, async (i) => {
    const admin = i % 2 === 0;
    const sso = i % 10 === 0;
    await putUser(deps, tenantId, userIdOf(i), {
      roles: admin ? ['admin'] : ['member'],
      sso,
      ...(withEmail(i) ? { email: `${userIdOf(i)}@example.com` } : {}),
    });
  });
  // some admins enrolled before the deadline
  const enrolled = indexes.filter((i) => i % 2 === 0 && i % 10 !== 0 && i % 7 === 0);
  await inParallel(enrolled, 8, (i) => enrolTotpDirect(deps, tenantId, userIdOf(i)));
  for (const i of indexes) if (i % 2 === 0 && i % 10 !== 0 && i % 7 !== 0) expectedExpired.add(userIdOf(i));
  await putPolicy(deps, tenantId, Policy.parse({ enforcement: { mode: 'roles', roles: ['admin'] } }));
}, 180_000);
afterAll(() => runtime?.stop());

describe(`${USERS} users, two runs at once`, () => {
  it('4.5 days in: every admin who must enroll and has an address gets the 3-day reminder once', async () => {
    clock.advanceSeconds(4.5 * DAY_SECONDS);
    const [a, b] = await Promise.all([runtime.runGraceExpiry(), runtime.runGraceExpiry()]);
    expect(a.expired + b.expired).toBe(0);
    const addressed = [...expectedExpired].filter((u) => withEmail(Number(u.slice(5))));
    expect(a.reminded + b.reminded).toBe(addressed.length);
    for (const userId of addressed) expect(email.count(`${userId}@example.com`, /set up two-factor/)).toBe(1);
    expect(email.sent).toHaveLength(addressed.length);
  }, 120_000);

  it('8 days in: exactly the right users are marked, each with one notice and one audit event', async () => {
    clock.advanceSeconds(3.5 * DAY_SECONDS);
    email.sent = [];
    const [a, b] = await Promise.all([runtime.runGraceExpiry(), runtime.runGraceExpiry()]);
    expect(a.expired + b.expired).toBe(expectedExpired.size);
    expect(a.complete && b.complete).toBe(true);

    for (const userId of expectedExpired) {
      if (withEmail(Number(userId.slice(5)))) expect(email.count(`${userId}@example.com`, /now required/), userId).toBe(1);
    }
    const notified = new Set(email.sent.map((m) => m.to.replace('@example.com', '')));
    expect([...notified].every((u) => expectedExpired.has(u))).toBe(true);
    expect(email.sent).toHaveLength([...expectedExpired].filter((u) => withEmail(Number(u.slice(5)))).length);

    // the audit trail: one event per marked user (publishing is at-least-once, so count distinct event ids)
    const expiredEvents = runtime.events().filter((e) => e.type === 'enforcement.grace_expired');
    const eventIds = new Map(expiredEvents.map((e) => [e.eventId, e.userId]));
    expect(new Set(eventIds.values())).toEqual(expectedExpired);
    expect(eventIds.size).toBe(expectedExpired.size);
  }, 120_000);

  it('the marked users are refused with enrollment_required; exempt, enrolled and members are not', async () => {
    const deps = runtime.deps;
    const sample = [0, 2, 4, 14, 1, 3, 20, 28];
    for (const i of sample) {
      const r = await createChallenge(deps, tenantId, userIdOf(i), {});
      const mustEnroll = expectedExpired.has(userIdOf(i));
      expect(r.reason, userIdOf(i)).toBe(mustEnroll ? 'enrollment_required' : i % 14 === 0 && i % 10 !== 0 ? 'two_factor_enabled' : 'not_enrolled');
    }
  });

  it('a third run, and a fourth, send nothing', async () => {
    email.sent = [];
    const runs = await Promise.all([runtime.runGraceExpiry(), runtime.runGraceExpiry()]);
    expect(runs.map((r) => r.expired + r.reminded + r.notices)).toEqual([0, 0]);
    expect(email.sent).toEqual([]);
  }, 60_000);

  it('a notice that could not be sent is tried again by the next run, and then only once', async () => {
    const deps = runtime.deps;
    await putUser(deps, tenantId, 'late-admin', { roles: ['admin'], email: 'late@example.com' });
    await syncUser(deps, tenantId, 'late-admin');
    clock.advanceSeconds(8 * DAY_SECONDS);
    email.failFor.add('late@example.com');
    await runtime.runGraceExpiry();
    expect(email.count('late@example.com', /now required/)).toBe(0);
    email.failFor.clear();
    await Promise.all([runtime.runGraceExpiry(), runtime.runGraceExpiry()]);
    expect(email.count('late@example.com', /now required/)).toBe(1);
  }, 60_000);
});
