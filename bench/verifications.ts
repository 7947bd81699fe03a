/**
 * The verification hot path (and the assertion half of trusted devices): verifications per second through the real
 * handler path (the verify function, as API Gateway calls it), beside the bare
 * DynamoDB floor for the same calls at the same concurrency; the calls each verification makes,
 * counted, for a warm TOTP verification (which signs an assertion), a cold one and a
 * recovery-code one.
 */
import type { ChallengeVerified } from '@twofold/contract';
import { authorize, invokeExpecting, prepare, runFunction, type PreparedCall } from './api';
import { tally, type Tally } from './call-log';
import { Floor, type FloorOp } from './floor';
import type { Harness, TotpUser } from './harness';
import { HandlerProfiler } from './profile';
import { LegRecorder, type Leg } from './rounds';
import { forEachLimited, nowMs } from './stats';

export interface VerificationOptions {
  users: number;
  rounds: number;
  concurrencies: number[];
  /** How many recovery-code verifications to count. */
  recoveryVerifications: number;
  /** Where to write a CPU profile of the last handler round at concurrency 1, if anywhere. */
  cpuProfile?: string;
}

export interface VerificationResults {
  users: number;
  rounds: number;
  /** The first verification in a fresh verify container (module code already loaded). */
  cold: { authorizer: Tally; verify: Tally; latencyMs: number };
  /** floor: with the SDK's client as it comes (the target's reference); tunedFloor: with Twofold's (information). */
  byConcurrency: { concurrency: number; handler: Leg; floor: Leg; ratio: number; tunedFloor: Leg; tunedRatio: number }[];
  /** The floor's calls, and whether they are the handler's (less the authorizer's). */
  floorSequence: string[];
  floorMatchesHandler: boolean;
  /** What a container's tenant (30 s) and API key (60 s) cache refresh costs, once per TTL. */
  cacheRefresh: Tally;
  recovery: Leg;
}

const verifiedWith = (method: ChallengeVerified['method']) => (b: ChallengeVerified) => b.verified === true && b.method === method && b.assertion.length > 0;

export async function runVerificationBench(h: Harness, options: VerificationOptions, progress: (line: string) => void): Promise<VerificationResults> {
  const started = nowMs();
  const at = () => `${((nowMs() - started) / 1000).toFixed(1)} s`;
  const tenant = await h.tenant('Bench');
  await h.setup.assertions.jwks(); // the deployment's signing key, made once (the first verification ever would)
  const apiKey = tenant.appKey;
  const users = await h.enrolTotpUsers(
    apiKey,
    Array.from({ length: options.users }, (_, i) => `bench-user-${String(i).padStart(5, '0')}`),
  );
  const period = users[0]!.period;
  if (users.some((u) => u.period !== period)) throw new Error('bench: users with different TOTP periods');
  progress(`  ${users.length} users enrolled (TOTP confirmed) at ${at()}`);

  // The verify function's container: fresh, so its first verification is a cold one.
  const verifyDeps = h.container();
  const floor = new Floor(h.dynamo.endpoint, 'local', h.dynamo.tableNames, tenant.tenantId, h.log, 'sdk');
  const tunedFloor = floor.sibling('twofold', h.log);
  const newRound = () => h.clock.advance(period * 1000);
  const step = () => Math.floor(h.clock.nowMs() / 1000 / period);
  /** A pending challenge per user, and the verify requests answering them (not timed). */
  const prepareRound = async (forUsers: TotpUser[], body: (u: TotpUser) => Promise<object>): Promise<PreparedCall[]> => {
    const created = await h.challenges(apiKey, forUsers.map((u) => u.userId), { method: 'totp' });
    return Promise.all(
      forUsers.map(async (u, i) => prepare({ method: 'POST', path: `/v1/challenges/${created[i]!.challengeId!}/verify`, apiKey, body: await body(u) }, h.clock.nowMs())),
    );
  };
  const withCode = async (u: TotpUser) => ({ code: await h.totpCode(u) });

  try {
    // --- round 0: the cold verification, then a warm-up (neither in the figures)
    newRound();
    const calls0 = await prepareRound(users, withCode);
    await forEachLimited(users, h.setupConcurrency, (u) => floor.addUser(u.userId));
    h.use(verifyDeps);
    const cold = await coldVerification(h, calls0[0]!);
    await forEachLimited(calls0.slice(1), 8, async (c) => {
      const error = await invokeExpecting(c, 200, verifiedWith('totp'));
      if (error) throw new Error(`bench: warm-up verification failed: ${error}`);
    });
    await forEachLimited(floor.prepareRound(step(), h.clock.nowMs()), 8, (op) => floor.verify(op));
    newRound();
    await forEachLimited(tunedFloor.prepareRound(step(), h.clock.nowMs()), 8, (op) => tunedFloor.verify(op));
    progress(`  cold verification ${cold.latencyMs.toFixed(1)} ms; warm-up done at ${at()}`);

    // --- timed rounds: handler and floor interleaved round by round, at each concurrency
    const byConcurrency: VerificationResults['byConcurrency'] = [];
    let cacheRefresh = tally([]);
    let floorSequence: string[] = [];
    for (const concurrency of options.concurrencies) {
      const handler = new LegRecorder(h.log, concurrency);
      const bare = new LegRecorder(h.log, concurrency);
      const tunedBare = new LegRecorder(h.log, concurrency);
      for (let round = 0; round < options.rounds; round++) {
        newRound();
        const calls = await prepareRound(users, withCode);
        h.use(verifyDeps);
        const refresh = await h.refreshCaches(verifyDeps, tenant);
        if (refresh.sequence.length > cacheRefresh.sequence.length) cacheRefresh = refresh;
        const profiler = new HandlerProfiler(concurrency === 1 && round === options.rounds - 1 ? options.cpuProfile : undefined);
        await profiler.start();
        await handler.round(calls, (c) => invokeExpecting(c, 200, verifiedWith('totp')));
        const profile = await profiler.stop();
        if (profile) progress(`  CPU profile of ${calls.length} handler verifications (concurrency 1): ${profile}`);

        const ops: FloorOp[] = floor.prepareRound(step(), h.clock.nowMs());
        const floorMark = h.log.mark();
        await bare.round(ops, async (op) => {
          await floor.verify(op);
          return undefined;
        });
        if (floorSequence.length === 0) floorSequence = h.log.since(floorMark).slice(0, 2).map((c) => c.signature);
        // the same calls again, a step later, through Twofold's client
        newRound();
        const tunedOps: FloorOp[] = tunedFloor.prepareRound(step(), h.clock.nowMs());
        await tunedBare.round(tunedOps, async (op) => {
          await tunedFloor.verify(op);
          return undefined;
        });
      }
      const handlerLeg = handler.result();
      const floorLeg = bare.result();
      const tunedLeg = tunedBare.result();
      byConcurrency.push({
        concurrency,
        handler: handlerLeg,
        floor: floorLeg,
        ratio: handlerLeg.opsPerSecond / floorLeg.opsPerSecond,
        tunedFloor: tunedLeg,
        tunedRatio: handlerLeg.opsPerSecond / tunedLeg.opsPerSecond,
      });
      progress(
        `  concurrency ${concurrency}: handler ${handlerLeg.opsPerSecond.toFixed(0)} verifications/s, floor ${floorLeg.opsPerSecond.toFixed(0)}/s (medians of ${options.rounds} rounds) at ${at()}`,
      );
    }

    // --- recovery codes: sequential, each counted (a code is spent; the user keeps the others)
    newRound();
    const recoveryUsers = users.filter((u) => u.recoveryCodes.length > 0).slice(0, options.recoveryVerifications);
    const recoveryCalls = await prepareRound(recoveryUsers, async (u) => ({ recoveryCode: u.recoveryCodes.shift()! }));
    h.use(verifyDeps);
    await h.refreshCaches(verifyDeps, tenant);
    const recovery = new LegRecorder(h.log, 1);
    await recovery.round(recoveryCalls, (c) => invokeExpecting(c, 200, verifiedWith('recovery_code')));
    progress(`  ${recoveryCalls.length} recovery-code verifications counted at ${at()}`);

    const sequential = byConcurrency.find((c) => c.concurrency === 1)?.handler.distinct[0];
    const handlerSequence = sequential?.sequence.filter((s) => !s.includes('APIKEY')) ?? [];
    return {
      users: users.length,
      rounds: options.rounds,
      cold,
      byConcurrency,
      floorSequence,
      floorMatchesHandler: JSON.stringify(handlerSequence) === JSON.stringify(floorSequence),
      cacheRefresh,
      recovery: recovery.result(),
    };
  } finally {
    floor.destroy();
    tunedFloor.destroy();
  }
}

/** One verification in a fresh container, with the authorizer's and the function's calls told apart. */
async function coldVerification(h: Harness, call: PreparedCall): Promise<VerificationResults['cold']> {
  const m0 = h.log.mark();
  const t0 = nowMs();
  await authorize(call);
  const m1 = h.log.mark();
  const response = await runFunction(call);
  const latencyMs = nowMs() - t0;
  const verified = response.statusCode === 200 && (JSON.parse(response.body ?? '{}') as ChallengeVerified).verified === true;
  if (!verified) throw new Error(`bench: the cold verification failed: ${String(response.statusCode)} ${response.body ?? ''}`);
  return { authorizer: tally(h.log.since(m0).slice(0, m1 - m0)), verify: h.log.tallySince(m1), latencyMs };
}
