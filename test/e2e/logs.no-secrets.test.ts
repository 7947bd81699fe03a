/**
 * Logs hold no secret: everything written to stdout and stderr (and through console) during
 * enrollment, logins, wrong codes, a lockout, recovery codes and bad keys is captured, at the
 * most verbose log level, and none of the TOTP secret, the codes, the recovery codes or the
 * API keys appears in it, in any usual encoding.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// the logger reads its level when it is created, at import: make it say everything it can;
// the metrics (off in the other tests, vitest.config.ts) print their EMF lines here too
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

import { base32Decode } from '../support/base32';
import { api } from '../support/api';
import { oathtool, wrongCodes } from '../support/authenticator';
import { challengeFor, enrolTotp, nextCode, startTwofold, type Twofold } from '../support/twofold';

let t: Twofold;
const captured: string[] = [];
const secrets = new Set<string>();
const keep = (...values: (string | undefined)[]) => values.forEach((v) => v && secrets.add(v));

beforeAll(async () => {
  const capture = (chunk: unknown) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void capture(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a) ?? String(a))).join(' ')));
  }
  t = await startTwofold();
  keep(t.tenant.appKey, t.tenant.adminKey, t.tenant.appKey.split('.')[1], t.tenant.adminKey.split('.')[1]);
});
afterAll(async () => {
  await t?.stop();
  vi.restoreAllMocks();
});

describe('an enrol, login and failures flow', () => {
  it('runs (and is logged)', async () => {
    const userId = 'alice';
    const enrolment = await enrolTotp(t, t.app, userId);
    const { secret } = enrolment;
    const bytes = base32Decode(secret);
    expect(bytes).toHaveLength(20);
    keep(secret, secret.toLowerCase(), bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'), enrolment.confirmCode);
    for (const c of enrolment.recoveryCodes) keep(c, c.replace(/-/g, ''), c.toUpperCase());

    // a second factor started and confirmed with a wrong code first
    const second = await t.app('POST', `/v1/users/${userId}/factors`, { type: 'totp', label: 'Backup' });
    keep(second.body.secret);
    const wrongConfirm = (await wrongCodes(second.body.secret, t.clock.nowMs(), 1))[0]!;
    keep(wrongConfirm);
    expect((await t.app('POST', `/v1/users/${userId}/factors/${second.body.factorId}/verify`, { code: wrongConfirm })).status).toBe(422);

    // a login
    const code = await nextCode(t, secret);
    keep(code);
    expect((await t.app('POST', `/v1/challenges/${await challengeFor(t.app, userId)}/verify`, { code })).status).toBe(200);
    // a replay of it
    expect((await t.app('POST', `/v1/challenges/${await challengeFor(t.app, userId)}/verify`, { code })).status).toBe(422);

    // wrong guesses up to a lockout, and the right code refused while locked
    const challengeId = await challengeFor(t.app, userId);
    const guesses = await wrongCodes(secret, t.clock.nowMs(), 6);
    keep(...guesses);
    for (const g of guesses) await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: g });
    const lockedOut = await nextCode(t, secret);
    keep(lockedOut);
    expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: lockedOut })).status).toBe(423);

    // a recovery code is refused while locked too; after the lock: a wrong one, a right one, the same again; then a new set
    expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { recoveryCode: enrolment.recoveryCodes[0] })).status).toBe(423);
    t.clock.advanceSeconds(601);
    const recoveryChallenge = await challengeFor(t.app, userId);
    keep('zzzz-zzzz-zzzz-zzzz');
    await t.app('POST', `/v1/challenges/${recoveryChallenge}/verify`, { recoveryCode: 'zzzz-zzzz-zzzz-zzzz' });
    expect((await t.app('POST', `/v1/challenges/${recoveryChallenge}/verify`, { recoveryCode: enrolment.recoveryCodes[0] })).status).toBe(200);
    expect((await t.app('POST', `/v1/challenges/${await challengeFor(t.app, userId)}/verify`, { recoveryCode: enrolment.recoveryCodes[0] })).status).toBe(422);
    const regenerated = await t.admin('POST', `/v1/users/${userId}/recovery-codes`);
    for (const c of regenerated.body.recoveryCodes as string[]) keep(c, c.replace(/-/g, ''));

    // after the lock: a login with a new code
    t.clock.advanceSeconds(30);
    const later = await oathtool(secret, t.clock.nowMs());
    keep(later);
    expect((await t.app('POST', `/v1/challenges/${await challengeFor(t.app, userId)}/verify`, { code: later })).status).toBe(200);

    // a value that looks like a code, in a body of the wrong shape
    keep('hunter2-424242');
    expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: 'hunter2-424242' })).status).toBe(400);

    // wrong keys: one made from the real one
    const almost = t.tenant.appKey.slice(0, -1) + (t.tenant.appKey.endsWith('A') ? 'B' : 'A');
    keep(almost, almost.split('.')[1]);
    expect((await api(t.baseUrl, almost)('GET', `/v1/users/${userId}`)).status).toBe(401);
    expect((await api(t.baseUrl, 'tf_0123456789abcdef.' + 'S'.repeat(43))('GET', `/v1/users/${userId}`)).status).toBe(401);
    keep('S'.repeat(43));
  });

  it('the capture saw the service logging: refusals with their error codes', () => {
    const log = captured.join('');
    expect(log).toMatch(/"request refused"/);
    for (const code of ['invalid_code', 'locked', 'unauthorized', 'invalid_request']) expect(log).toContain(`"code":"${code}"`);
  });

  it('and no secret, code, recovery code or key appears in anything written', () => {
    const log = captured.join('');
    expect(secrets.size).toBeGreaterThan(40);
    for (const s of secrets) {
      // a code is found only as a whole number, not inside a longer one (a timestamp, a port)
      const pattern = /^\d+$/.test(s) ? new RegExp(`(?<!\\d)${s}(?!\\d)`) : new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      expect(pattern.test(log), `found ${s.slice(0, 4)}… in the logs`).toBe(false);
    }
  });
});
