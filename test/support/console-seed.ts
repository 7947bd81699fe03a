/**
 * A workspace with something to see in the console: users with roles, some enrolled with an
 * authenticator (oathtool playing the app), one pending, one locked out by wrong codes, an
 * enforcement policy. Used by the console's Chromium test and its screenshots.
 */
import { wrongCodes } from './authenticator';
import { challengeFor, enrolTotp, type Enrolment, type Twofold } from './twofold';

export interface SeededConsole {
  enrolments: Record<string, Enrolment>;
  locked: string;
  pending: string;
}

export async function seedConsole(t: Twofold): Promise<SeededConsole> {
  const people: [string, string[]][] = [
    ['alice@acme.test', ['admin']],
    ['bruno@acme.test', ['admin', 'finance']],
    ['chen@acme.test', ['finance']],
    ['dana@acme.test', ['member']],
    ['emeka@acme.test', ['member']],
    ['farah@acme.test', ['support']],
    ['gus@acme.test', ['member']],
    ['hana@acme.test', ['admin']],
  ];
  for (const [userId, roles] of people) {
    const r = await t.app('PUT', `/v1/users/${userId}`, { roles, email: userId });
    if (r.status !== 200) throw new Error(`seeding ${userId}: ${r.status} ${r.text}`);
  }
  const enrolments: Record<string, Enrolment> = {};
  for (const userId of ['alice@acme.test', 'chen@acme.test', 'dana@acme.test', 'farah@acme.test', 'bruno@acme.test']) {
    enrolments[userId] = await enrolTotp(t, t.app, userId);
    t.clock.advanceSeconds(60);
  }
  // a pending factor: started, never confirmed
  const pending = 'emeka@acme.test';
  await t.app('POST', `/v1/users/${pending}/factors`, { type: 'totp', label: 'Work phone' });
  // locked out: as many wrong codes as the policy allows
  const locked = 'bruno@acme.test';
  const challengeId = await challengeFor(t.app, locked);
  for (const code of await wrongCodes(enrolments[locked]!.secret, t.clock.nowMs(), 5)) {
    await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code });
  }
  return { enrolments, locked, pending };
}
