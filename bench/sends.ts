/**
 * Codes sent per second through the challenge path (authorizer + challenge function,
 * createChallenge for a user whose factor is SMS or email) with counting in-memory SNS/SES
 * stand-ins, and what each send costs in DynamoDB calls (velocity counters included); also an
 * Idempotency-Key'd send and its replay, and the verification of a sent code.
 */
import type { ChallengeCreated, ChallengeVerified } from '@twofold/contract';
import { invokeExpecting, prepare, type PreparedCall } from './api';
import type { Tally } from './call-log';
import type { Harness, OtpUser } from './harness';
import { LegRecorder, type Leg } from './rounds';
import { nowMs } from './stats';

export interface SendOptions {
  /** Users per channel, each with their own destination. */
  users: number;
  rounds: number;
  concurrencies: number[];
  /** How many sent codes to verify, counted. */
  verifications: number;
}

export type Channel = OtpUser['channel'];

export interface SendResults {
  usersPerChannel: number;
  /** The first send in a fresh challenge container (module code already loaded). */
  cold: Tally;
  legs: { channel: Channel; leg: Leg }[];
  idempotent: { first: Tally; replay: Tally };
  /** Verifying a sent SMS code, each counted. */
  verification: Leg;
}

const HOUR_MS = 3_600_000;

export async function runSendBench(h: Harness, options: SendOptions, progress: (line: string) => void): Promise<SendResults> {
  const started = nowMs();
  const at = () => `${((nowMs() - started) / 1000).toFixed(1)} s`;
  const tenant = await h.tenant('Bench OTP', { methods: { allowed: ['totp', 'sms', 'email'], default: 'sms', allowFallback: true, roleRules: [] } });
  const apiKey = tenant.appKey;
  const usersOf = (channel: Channel): OtpUser[] =>
    Array.from({ length: options.users }, (_, i) => ({
      userId: `bench-${channel}-${String(i).padStart(5, '0')}`,
      channel,
      // French mobile numbers (+33 6…), one per user: the per-destination limit is per number
      destination: channel === 'sms' ? `+336120${String(i).padStart(5, '0')}` : `bench-${String(i).padStart(5, '0')}@example.com`,
    }));
  const byChannel = { sms: usersOf('sms'), email: usersOf('email') };
  await h.enrolOtpUsers(apiKey, [...byChannel.sms, ...byChannel.email]);
  progress(`  ${options.users} SMS and ${options.users} email users enrolled (codes sent and confirmed) at ${at()}`);

  const send = (u: OtpUser, headers: Record<string, string> = {}): PreparedCall =>
    prepare({ method: 'POST', path: `/v1/users/${u.userId}/challenges`, apiKey, body: { method: u.channel }, headers }, h.clock.nowMs());
  const sent = (channel: Channel) => (b: ChallengeCreated) => b.required && b.method === channel && b.challengeId !== null && b.destination !== undefined;
  /** Velocity counters are per hour: each round an hour later keeps every user under the default limits. */
  const newRound = () => h.clock.advance(HOUR_MS);

  // --- a fresh challenge container: the cold send, then a warm-up round of both channels
  const challengeDeps = h.container();
  newRound();
  h.use(challengeDeps);
  const coldMark = h.log.mark();
  const coldError = await invokeExpecting(send(byChannel.sms[0]!), 201, sent('sms'));
  if (coldError) throw new Error(`bench: the cold send failed: ${coldError}`);
  const cold = h.log.tallySince(coldMark);
  const warmUp = new LegRecorder(h.log, 8);
  const warmUsers = [...byChannel.sms.slice(1), ...byChannel.email];
  await warmUp.round(warmUsers, (u) => invokeExpecting(send(u), 201, sent(u.channel)));
  if (warmUp.result().errors > 0) throw new Error(`bench: warm-up send failed: ${warmUp.result().firstError}`);

  const legs: SendResults['legs'] = [];
  for (const channel of ['sms', 'email'] as const) {
    for (const concurrency of options.concurrencies) {
      const leg = new LegRecorder(h.log, concurrency);
      for (let round = 0; round < options.rounds; round++) {
        newRound();
        await h.refreshCaches(challengeDeps, tenant);
        const calls = byChannel[channel].map((u) => send(u));
        await leg.round(calls, (c) => invokeExpecting(c, 201, sent(channel)));
      }
      const result = leg.result();
      legs.push({ channel, leg: result });
      progress(`  ${channel} sends, concurrency ${concurrency}: ${result.opsPerSecond.toFixed(0)}/s (median of ${options.rounds} rounds) at ${at()}`);
    }
  }

  // --- an Idempotency-Key'd send, then the same request again (a client's retry)
  newRound();
  await h.refreshCaches(challengeDeps, tenant);
  const keyed = byChannel.sms[0]!;
  const idempotent = { first: await counted(h, send(keyed, { 'Idempotency-Key': 'bench-retry-1' })), replay: await counted(h, send(keyed, { 'Idempotency-Key': 'bench-retry-1' })) };

  // --- verifying sent SMS codes in a verify container warmed by one verification
  const verifyUsers = byChannel.sms.slice(0, options.verifications + 1);
  const created = await h.challenges(apiKey, verifyUsers.map((u) => u.userId), { method: 'sms' });
  const verifyCalls = verifyUsers.map((u, i) =>
    prepare({ method: 'POST', path: `/v1/challenges/${created[i]!.challengeId!}/verify`, apiKey, body: { code: h.senders.lastCode(u.destination) } }, h.clock.nowMs()),
  );
  h.use(h.container());
  const codeVerified = (b: ChallengeVerified) => b.verified === true && b.method === 'sms';
  const firstError = await invokeExpecting(verifyCalls[0]!, 200, codeVerified);
  if (firstError) throw new Error(`bench: verifying a sent code failed: ${firstError}`);
  const verification = new LegRecorder(h.log, 1);
  await verification.round(verifyCalls.slice(1), (c) => invokeExpecting(c, 200, codeVerified));
  progress(`  idempotent send and ${verifyCalls.length - 1} SMS code verifications counted at ${at()}`);

  return { usersPerChannel: options.users, cold, legs, idempotent, verification: verification.result() };
}

async function counted(h: Harness, call: PreparedCall): Promise<Tally> {
  const mark = h.log.mark();
  const error = await invokeExpecting<ChallengeCreated>(call, 201, (b) => b.required);
  if (error) throw new Error(`bench: an Idempotency-Key'd send failed: ${error}`);
  return h.log.tallySince(mark);
}
