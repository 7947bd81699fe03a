/**
 * Recovery codes in security events: every code that answers a challenge emits
 * `recovery_code.used` with how many are left, and a use that leaves 2 or fewer also emits
 * `recovery_codes.low` — not before. A wrong or already spent code emits neither, and so does a
 * login with the authenticator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeFor, enrolTotp, nextCode, type Enrolment, type Twofold } from '../support/twofold';
import { eventsOf, startTwofoldWithEvents } from '../support/events';

let t: Twofold;
let enrolment: Enrolment;
beforeAll(async () => {
  t = await startTwofoldWithEvents();
  enrolment = await enrolTotp(t, t.app, 'rita');
});
afterAll(() => t?.stop());

const recoveryEvents = async () => (await eventsOf(t, 'rita')).filter((e) => e.type.startsWith('recovery_code'));

async function answerWith(recoveryCode: string) {
  const challengeId = await challengeFor(t.app, 'rita');
  return t.app('POST', `/v1/challenges/${challengeId}/verify`, { recoveryCode });
}

describe('using recovery codes (8 issued)', () => {
  it('a login with the authenticator emits no recovery event', async () => {
    const challengeId = await challengeFor(t.app, 'rita');
    expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await nextCode(t, enrolment.secret) })).status).toBe(200);
    expect(await recoveryEvents()).toEqual([]);
  });

  it('the first 5 uses emit recovery_code.used with remaining 7..3, and no recovery_codes.low', async () => {
    for (const code of enrolment.recoveryCodes.slice(0, 5)) {
      t.clock.advanceSeconds(1);
      expect((await answerWith(code)).status).toBe(200);
    }
    const events = await recoveryEvents();
    expect(events.map((e) => [e.type, e.detail.remaining])).toEqual([7, 6, 5, 4, 3].map((n) => ['recovery_code.used', n]));
    for (const e of events) expect(e).toMatchObject({ tenantId: t.tenant.tenantId, userId: 'rita', actor: 'user' });
  });

  it('a wrong code and a spent code emit nothing', async () => {
    expect((await answerWith('aaaa-bbbb-cccc-dddd')).status).toBe(422);
    expect((await answerWith(enrolment.recoveryCodes[0]!)).status).toBe(422);
    expect(await recoveryEvents()).toHaveLength(5);
  });

  it('the use that leaves 2 emits recovery_codes.low too, and so does each use after it', async () => {
    const before = (await recoveryEvents()).length;
    for (const code of enrolment.recoveryCodes.slice(5)) {
      t.clock.advanceSeconds(1);
      const r = await answerWith(code);
      expect(r.status).toBe(200);
      const latest = (await recoveryEvents()).slice(-2);
      expect(latest).toEqual([
        expect.objectContaining({ type: 'recovery_code.used', detail: { remaining: r.body.recoveryCodesRemaining }, at: new Date(t.clock.nowMs()).toISOString() }),
        expect.objectContaining({ type: 'recovery_codes.low', detail: { remaining: r.body.recoveryCodesRemaining }, at: new Date(t.clock.nowMs()).toISOString() }),
      ]);
    }
    const after = (await recoveryEvents()).slice(before);
    expect(after.map((e) => `${e.type}:${e.detail.remaining}`)).toEqual([
      'recovery_code.used:2',
      'recovery_codes.low:2',
      'recovery_code.used:1',
      'recovery_codes.low:1',
      'recovery_code.used:0',
      'recovery_codes.low:0',
    ]);
  });
});

describe('parallel uses', () => {
  // `remaining` comes from the write that spent the code, so racing uses each see their own count.
  it('two codes used at once when 4 are left: the one that leaves 2 emits recovery_codes.low', async () => {
    const { recoveryCodes } = await enrolTotp(t, t.app, 'sam');
    for (const code of recoveryCodes.slice(0, 4)) {
      const challengeId = await challengeFor(t.app, 'sam');
      expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { recoveryCode: code })).status).toBe(200);
    }
    const challenges = await Promise.all([0, 1].map(() => challengeFor(t.app, 'sam')));
    const results = await Promise.all(challenges.map((id, i) => t.app('POST', `/v1/challenges/${id}/verify`, { recoveryCode: recoveryCodes[4 + i] })));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect((await t.app('GET', '/v1/users/sam/recovery-codes')).body.remaining).toBe(2);
    const events = await eventsOf(t, 'sam');
    expect(events.filter((e) => e.type === 'recovery_code.used').map((e) => e.detail.remaining).slice(-2).sort()).toEqual([2, 3]);
    expect(events.filter((e) => e.type === 'recovery_codes.low').map((e) => e.detail.remaining)).toEqual([2]);
  });
});
