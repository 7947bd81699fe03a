/**
 * The emails of the grace-period job, read back from the SES emulator over HTTP: a reminder 3
 * days and 1 day before the deadline, the notice when it has passed — each once — and none for
 * a user who enrolled in time.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enrolTotp, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

const DAY_SECONDS = 86_400;
let t: Twofold;
beforeAll(async () => {
  t = await testService();
  await t.app('PUT', '/v1/users/ivy', { roles: ['finance'], email: 'ivy@example.com' });
  await t.app('PUT', '/v1/users/jon', { roles: ['finance'], email: 'jon@example.com' });
  expect((await t.admin('PUT', '/v1/policy', { enforcement: { mode: 'roles', roles: ['finance'], gracePeriodDays: 7 } })).status).toBe(200);
});
afterAll(() => t.stop());

const mailsTo = async (to: string) => {
  const { messages } = (await (await fetch(`${t.baseUrl}/_local/outbox`)).json()) as { messages: { channel: string; to: string; subject?: string; body: string }[] };
  return messages.filter((m) => m.channel === 'email' && m.to === to);
};

it('nothing is due in the first days', async () => {
  t.clock.advanceSeconds(2 * DAY_SECONDS);
  await t.runtime.runGraceExpiry();
  expect(await mailsTo('ivy@example.com')).toEqual([]);
});

it('3 days before the deadline: one reminder, naming the tenant and the date', async () => {
  t.clock.advanceSeconds(2 * DAY_SECONDS + 60);
  await t.runtime.runGraceExpiry();
  await t.runtime.runGraceExpiry();
  const mails = await mailsTo('ivy@example.com');
  expect(mails).toHaveLength(1);
  expect(mails[0]!.subject).toMatch(/^Acme Corp: set up two-factor authentication by /);
  expect(mails[0]!.body).toContain('3 days left');
});

it('a user who enrolls in time hears nothing more', async () => {
  await enrolTotp(t, t.app, 'jon');
  t.clock.advanceSeconds(2 * DAY_SECONDS);
  await t.runtime.runGraceExpiry();
  expect(await mailsTo('jon@example.com')).toHaveLength(1);
});

it('1 day before: the second reminder', async () => {
  const mails = await mailsTo('ivy@example.com');
  expect(mails).toHaveLength(2);
  expect(mails[1]!.body).toContain('1 day left');
});

it('after the deadline: the notice that two-factor is now required, once', async () => {
  t.clock.advanceSeconds(DAY_SECONDS);
  await t.runtime.runGraceExpiry();
  await t.runtime.runGraceExpiry();
  const mails = await mailsTo('ivy@example.com');
  expect(mails).toHaveLength(3);
  expect(mails[2]!.subject).toBe('Acme Corp: two-factor authentication is now required');
  expect(await mailsTo('jon@example.com')).toHaveLength(1);
});

it('POST /_local/grace-expiry (what npm run grace:run calls) runs the same job', async () => {
  const r = await fetch(`${t.baseUrl}/_local/grace-expiry`, { method: 'POST' });
  expect(r.status).toBe(200);
  expect(await r.json()).toEqual({ resummarised: 0, reminded: 0, expired: 0, notices: 0, complete: true });
});
