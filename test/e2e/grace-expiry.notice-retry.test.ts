/**
 * The grace-period job and a failing mail server: `enforcement.grace_expired` is a security
 * event of the user's state, not of the email. When the "two-factor is now required" email
 * fails, the next runs retry the email until it goes out, once, and the event is emitted once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { putPolicy, putUser, syncUser, type EmailSender } from '@twofold/core';
import { Policy } from '@twofold/contract';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { ManualClock } from '../support/fakes';

const DAY_SECONDS = 86_400;

class FlakyEmail implements EmailSender {
  sent: { to: string; subject: string }[] = [];
  failing = true;
  async send(message: { to: string; subject: string }) {
    if (this.failing) throw Object.assign(new Error('MessageRejected'), { name: 'MessageRejected' });
    this.sent.push({ to: message.to, subject: message.subject });
  }
}

const clock = new ManualClock();
const email = new FlakyEmail();
let runtime: LocalRuntime;
let tenantId: string;

beforeAll(async () => {
  runtime = await startLocalRuntime({ port: 0, clock, graceTimer: false, senders: { email } });
  ({ tenantId } = await runtime.createTenant('Acme Corp'));
  await putPolicy(runtime.deps, tenantId, Policy.parse({ enforcement: { mode: 'roles', roles: ['admin'], gracePeriodDays: 7 } }));
  await putUser(runtime.deps, tenantId, 'ada', { roles: ['admin'], email: 'ada@example.com' });
  await putUser(runtime.deps, tenantId, 'noaddress', { roles: ['admin'] });
  await syncUser(runtime.deps, tenantId, 'ada');
});
afterAll(() => runtime.stop());

const expiredEvents = async (userId: string) => {
  await runtime.relayEvents();
  return runtime.events().filter((e) => e.type === 'enforcement.grace_expired' && e.userId === userId);
};

it('a failed expiry email is retried by the next runs; the grace_expired event is emitted once', async () => {
  clock.advanceSeconds(8 * DAY_SECONDS);
  // the mail server is down for three runs, two of them at once
  await runtime.runGraceExpiry();
  await Promise.all([runtime.runGraceExpiry(), runtime.runGraceExpiry()]);
  expect(email.sent).toEqual([]);
  expect(await expiredEvents('ada')).toHaveLength(1);
  expect(await expiredEvents('noaddress')).toHaveLength(1);

  email.failing = false;
  await Promise.all([runtime.runGraceExpiry(), runtime.runGraceExpiry()]);
  expect(email.sent.filter((m) => m.to === 'ada@example.com' && /now required/.test(m.subject))).toHaveLength(1);
  await runtime.runGraceExpiry();
  expect(email.sent).toHaveLength(1);
  expect(await expiredEvents('ada')).toHaveLength(1);
  expect((await expiredEvents('ada'))[0]).toMatchObject({ actor: 'system', detail: { graceEndsAt: expect.any(String) } });

  // and a later change to the user (a summary rewrite) does not bring the notice back
  await putUser(runtime.deps, tenantId, 'ada', { roles: ['admin', 'finance'], email: 'ada@example.com' });
  await runtime.runGraceExpiry();
  expect(email.sent).toHaveLength(1);
  expect(await expiredEvents('ada')).toHaveLength(1);
});
