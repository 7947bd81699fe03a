/**
 * Threat: a kept assertion outlives the state it proved. A fresh-verification assertion names
 * the user's security epoch: a reset (then re-enrolment), an erasure (then a new user of the
 * same id), two-factor off, a removed factor or new recovery codes move it, and a sensitive
 * operation refuses an assertion of an earlier epoch. And one assertion serves one sensitive
 * operation: it is spent (by jti) in that operation's own write, so of N parallel uses exactly
 * one gets through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '@twofold/core';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

let h: OtpHarness;
let adminKey: string;

const withAssertion = (assertion: string) => ({ 'twofold-assertion': assertion });
const admin = (method: string, path: string) => fetch(`${h.runtime.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${adminKey}` } });

async function enrol(userId: string): Promise<string> {
  const to = `${userId}@example.com`;
  const started = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'email', email: to });
  expect((await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(to) })).status).toBe(200);
  return started.body.factorId as string;
}

/** A login by email code: the code is read from the newest email to any of the user's addresses (which factor is asked is the service's choice). */
async function login(userId: string): Promise<string> {
  const challenge = await h.call('POST', `/v1/users/${userId}/challenges`, { method: 'email' });
  const theirs = (await h.messages()).filter((m) => m.to === `${userId}@example.com` || m.to.startsWith(`${userId}+`));
  const code = /\b(\d{6})\b/.exec(theirs.at(-1)?.body ?? '')?.[1];
  const verified = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code });
  expect(verified.status).toBe(200);
  return verified.body.assertion as string;
}

const refused = (r: { status: number; body: { error?: { code: string } } }) => {
  expect(r.status).toBe(403);
  expect(r.body.error?.code).toBe('fresh_verification_required');
};

beforeAll(async () => {
  h = await startOtpHarness();
  adminKey = await issueApiKey(h.runtime.deps, h.tenantId, 'admin');
});
afterAll(() => h.stop());

describe('an assertion kept across a change of the user', () => {
  it('threat: replayed after an admin reset and re-enrolment, it opens neither the new codes nor two-factor off', async () => {
    await enrol('alice');
    const kept = await login('alice');
    expect((await admin('POST', '/v1/admin/users/alice/reset')).status).toBe(204);
    await enrol('alice');
    const view = await h.call('GET', '/v1/users/alice/recovery-codes', undefined, withAssertion(kept));
    refused(view);
    refused(await h.call('DELETE', '/v1/users/alice/two-factor', undefined, withAssertion(kept)));
    refused(await h.call('POST', '/v1/users/alice/recovery-codes', undefined, withAssertion(kept)));
    expect((await h.call('GET', '/v1/users/alice')).body.status).toBe('enrolled');
    // a login after the re-enrolment works as before
    expect((await h.call('GET', '/v1/users/alice/recovery-codes', undefined, withAssertion(await login('alice')))).body.codes).toHaveLength(8);
  });

  it('threat: replayed after the user was erased and created again, it is refused', async () => {
    await enrol('bob');
    const kept = await login('bob');
    expect((await h.call('DELETE', '/v1/users/bob')).status).toBe(204);
    await enrol('bob');
    refused(await h.call('GET', '/v1/users/bob/recovery-codes', undefined, withAssertion(kept)));
    refused(await h.call('DELETE', '/v1/users/bob/two-factor', undefined, withAssertion(kept)));
    expect((await h.call('GET', '/v1/users/bob')).body.status).toBe('enrolled');
  });

  it('threat: an assertion made before the recovery codes were replaced does not show the new ones', async () => {
    await enrol('carol');
    const [before, regenerating] = [await login('carol'), await login('carol')];
    expect((await h.call('POST', '/v1/users/carol/recovery-codes', undefined, withAssertion(regenerating))).status).toBe(201);
    refused(await h.call('GET', '/v1/users/carol/recovery-codes', undefined, withAssertion(before)));
  });

  it('threat: an assertion made before a factor was removed cannot remove another', async () => {
    const first = await enrol('dave');
    const to = 'dave+2@example.com';
    const second = await h.call('POST', '/v1/users/dave/factors', { type: 'email', email: to });
    expect((await h.call('POST', `/v1/users/dave/factors/${second.body.factorId}/verify`, { code: await h.lastCode(to) })).status).toBe(200);
    const [a, b] = [await login('dave'), await login('dave')];
    expect((await h.call('DELETE', `/v1/users/dave/factors/${second.body.factorId}`, undefined, withAssertion(a))).status).toBe(204);
    refused(await h.call('DELETE', `/v1/users/dave/factors/${first}`, undefined, withAssertion(b)));
    expect((await h.call('GET', '/v1/users/dave')).body.status).toBe('enrolled');
  });
});

describe('one assertion, one sensitive operation', () => {
  it('threat: reused for a second operation, it is refused', async () => {
    await enrol('erin');
    const assertion = await login('erin');
    expect((await h.call('GET', '/v1/users/erin/recovery-codes', undefined, withAssertion(assertion))).body.codes).toHaveLength(8);
    const again = await h.call('GET', '/v1/users/erin/recovery-codes', undefined, withAssertion(assertion));
    refused(again);
    expect(again.body.codes).toBeUndefined();
    refused(await h.call('DELETE', '/v1/users/erin/two-factor', undefined, withAssertion(assertion)));
    expect((await h.call('GET', '/v1/users/erin')).body.status).toBe('enrolled');
  });

  it('threat: 10 parallel uses of one assertion: exactly one is served', async () => {
    await enrol('frank');
    const assertion = await login('frank');
    const answers = await Promise.all(Array.from({ length: 10 }, () => h.call('GET', '/v1/users/frank/recovery-codes', undefined, withAssertion(assertion))));
    expect(answers.filter((r) => r.status === 200 && Array.isArray(r.body.codes))).toHaveLength(1);
    expect(answers.filter((r) => r.status === 403 && r.body.error.code === 'fresh_verification_required')).toHaveLength(9);
    // audited once: the one view that was served
    await h.runtime.relayEvents();
    expect(h.runtime.events().filter((e) => e.type === 'recovery_codes.viewed' && e.userId === 'frank')).toHaveLength(1);
  });

  it('an admin key needs no assertion and spends none', async () => {
    await enrol('gina');
    const assertion = await login('gina');
    expect((await admin('GET', '/v1/users/gina/recovery-codes')).status).toBe(200);
    expect((await h.call('GET', '/v1/users/gina/recovery-codes', undefined, withAssertion(assertion))).body.codes).toHaveLength(8);
  });
});
