/**
 * The admin overview is kept as counters moved by each change, never by counting users. This
 * property test runs random sequences of enrol, pending enrolment, recovery-code use,
 * regeneration, role changes, factor removal, disable and admin reset — some of them at once —
 * and checks that the overview equals a brute-force count of the users after every sequence.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createChallenge,
  DomainError,
  disableTwoFactor,
  getUser,
  overview,
  putPolicy,
  putUser,
  regenerateRecoveryCodes,
  removeFactor,
  resetUser,
  startFactorEnrollment,
  verifyChallenge,
  type CoreDeps,
} from '@twofold/core';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { Policy, type Overview, type User } from '@twofold/contract';
import { enrolTotpDirect } from '../support/core-users';
import { ManualClock } from '../support/fakes';

const clock = new ManualClock();

// few users, so that operations on one user often race each other
const USERS = ['ada', 'bob', 'cy'];
const ROLES = ['admin', 'ops', 'sales'];

const Op = fc.oneof(
  fc.record({ kind: fc.constant('putUser' as const), user: fc.constantFrom(...USERS), roles: fc.subarray(ROLES) }),
  fc.record({ kind: fc.constantFrom('enrol', 'startPending', 'useRecoveryCode', 'useRecoveryCodes', 'regenerate', 'removeFirstFactor', 'disable', 'reset'), user: fc.constantFrom(...USERS) }),
);
type Op = typeof Op extends fc.Arbitrary<infer T> ? T : never;

/** The domain's refusals (no such user, not enrolled...) are fine here; anything else is a bug. */
const refusalsAllowed = async (run: () => Promise<unknown>) => {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
  }
};

async function apply(deps: CoreDeps, tenantId: string, op: Op, codes: Map<string, string[]>) {
  clock.advanceSeconds(31);
  switch (op.kind) {
    case 'putUser':
      return putUser(deps, tenantId, op.user, { roles: op.roles });
    case 'enrol':
      return refusalsAllowed(async () => {
        const { recoveryCodes } = await enrolTotpDirect(deps, tenantId, op.user);
        if (recoveryCodes.length > 0) codes.set(op.user, recoveryCodes);
      });
    case 'startPending':
      return refusalsAllowed(() => startFactorEnrollment(deps, tenantId, op.user, { type: 'totp' }));
    case 'useRecoveryCode':
    case 'useRecoveryCodes': {
      // one code, or three at once (racing each other)
      const count = op.kind === 'useRecoveryCode' ? 1 : 3;
      const left = codes.get(op.user) ?? [];
      const spend = left.splice(0, count);
      return Promise.all(
        spend.map((recoveryCode) =>
          refusalsAllowed(async () => {
            const challenge = await createChallenge(deps, tenantId, op.user, { method: 'recovery_code' });
            if (challenge.challengeId) await verifyChallenge(deps, tenantId, challenge.challengeId, { recoveryCode });
          }),
        ),
      );
    }
    case 'regenerate':
      return refusalsAllowed(async () => codes.set(op.user, (await regenerateRecoveryCodes(deps, tenantId, op.user)).recoveryCodes));
    case 'removeFirstFactor':
      return refusalsAllowed(async () => {
        const user = await getUser(deps, tenantId, op.user);
        if (user.factors[0]) await removeFactor(deps, tenantId, op.user, user.factors[0].factorId);
      });
    case 'disable':
      return refusalsAllowed(() => disableTwoFactor(deps, tenantId, op.user));
    case 'reset':
      return refusalsAllowed(() => resetUser(deps, tenantId, op.user));
  }
}

/** The overview as a brute-force count over every user. */
async function countByHand(deps: CoreDeps, tenantId: string): Promise<Omit<Overview, 'recentEnrollments'> & { enrolledUsers: string[] }> {
  const users: User[] = [];
  for (const userId of USERS) {
    try {
      users.push(await getUser(deps, tenantId, userId));
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'user_not_found')) throw error;
    }
  }
  const enrolled = users.filter((u) => u.status === 'enrolled');
  const roles = new Map<string, number>();
  for (const u of users) if (u.status !== 'enrolled') for (const r of new Set(u.roles)) roles.set(r, (roles.get(r) ?? 0) + 1);
  return {
    totalUsers: users.length,
    enrolled: enrolled.length,
    pending: users.filter((u) => u.status === 'pending').length,
    notStarted: users.filter((u) => u.status === 'not_started').length,
    enrollmentRate: users.length === 0 ? 0 : Math.round((enrolled.length / users.length) * 10_000) / 10_000,
    recoveryCodes: {
      low: enrolled.filter((u) => u.recoveryCodesRemaining > 0 && u.recoveryCodesRemaining <= 2).length,
      none: enrolled.filter((u) => u.recoveryCodesRemaining === 0).length,
    },
    smsOnly: users.filter((u) => {
      const active = u.factors.filter((f) => f.status === 'active');
      return active.length > 0 && active.every((f) => f.type === 'sms');
    }).length,
    rolesWithoutTwoFactor: [...roles].map(([role, n]) => ({ role, users: n })).sort((a, b) => b.users - a.users || a.role.localeCompare(b.role)),
    enrolledUsers: enrolled.map((u) => u.userId).sort(),
  };
}

/**
 * Most runs on the memory adapters, and a few on DynamoDB Local: the counters' deltas are the
 * core's (each change's stats), applied by the store with the change; both stores pass the same
 * contract for that (test/adapters/tenant-stats.contract.test.ts, user-store.contract.test.ts).
 */
describe.each([
  ['memory adapters', 'memory' as const, 100],
  ['DynamoDB Local', 'dynamodb' as const, 10],
])('the overview on the %s', (_, storage, numRuns) => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, clock, graceTimer: false, storage });
  });
  afterAll(() => runtime?.stop());

  it(`equals a brute-force count after any sequence of enrol, reset and disable operations (${numRuns} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(Op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 10 }), async (rounds) => {
        // a tenant per run: its counters start at zero
        const { tenantId } = await runtime.createTenant('Prop Co');
        const deps = runtime.deps;
        // 5 recovery codes (the fewest a policy allows): a few uses reach low and none
        await putPolicy(deps, tenantId, Policy.parse({ recoveryCodes: { count: 5 } }));
        const codes = new Map<string, string[]>();
        // each round's operations run at once, as parallel requests would
        for (const round of rounds) await Promise.all(round.map((op) => apply(deps, tenantId, op, codes)));
        const { enrolledUsers, ...expected } = await countByHand(deps, tenantId);
        const actual = await overview(deps, tenantId);
        const { recentEnrollments, ...counts } = actual;
        expect(counts).toEqual(expected);
        expect(recentEnrollments.map((r) => r.userId).sort()).toEqual(enrolledUsers);
      }),
      { numRuns },
    );
  }, 240_000);
});
