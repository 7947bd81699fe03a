/**
 * Trusted devices and assertions. The calls a challenge makes for the device check in
 * `unrecognized_devices` mode (a device token, a known IP, an unknown device), and a verification
 * that remembers the device; and what signing the assertion adds to a verification, measured on
 * AssertionSigner itself (warm: key unsealed; cold: first signature in a container).
 */
import type { ChallengeCreated, ChallengeVerified } from '@twofold/contract';
import { invokeExpecting, prepare, type PreparedCall } from './api';
import type { Tally } from './call-log';
import type { Harness } from './harness';
import { LegRecorder, type Leg } from './rounds';
import { median, nowMs, percentile } from './stats';

export interface DeviceOptions {
  users: number;
  signatures: number;
}

export interface DeviceResults {
  users: number;
  /** createChallenge with context.deviceToken: recognised, token rotated. */
  deviceToken: Leg;
  /** createChallenge with context.ip of a verified sign-in: recognised. */
  knownIp: Leg;
  /** createChallenge from an unknown device: a challenge is made. */
  unknownDevice: Leg;
  /** verifyChallenge with rememberDevice: a device token is issued, the IP remembered. */
  rememberDevice: Leg;
  signing: { signatures: number; medianUs: number; p95Us: number; kms: number; coldMs: number; cold: Tally };
}

export async function runDeviceBench(h: Harness, options: DeviceOptions, progress: (line: string) => void): Promise<DeviceResults> {
  const started = nowMs();
  const tenant = await h.tenant('Bench devices', { prompt: 'unrecognized_devices' });
  const apiKey = tenant.appKey;
  const users = await h.enrolTotpUsers(
    apiKey,
    Array.from({ length: options.users + 1 }, (_, i) => `bench-device-${String(i).padStart(5, '0')}`),
  );
  const ipOf = (i: number) => `2001:db8::${i.toString(16)}`;
  const userAgent = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
  const challenge = (i: number, context: Record<string, string>): PreparedCall =>
    prepare({ method: 'POST', path: `/v1/users/${users[i]!.userId}/challenges`, apiKey, body: { context } }, h.clock.nowMs());
  const challengeIds: string[] = [];
  const tokens: string[] = [];
  const challenged = (i: number) => (b: ChallengeCreated) => {
    challengeIds[i] = b.challengeId ?? '';
    return b.required && b.reason === 'two_factor_enabled';
  };
  const recognised = (i: number, rotates: boolean) => (b: ChallengeCreated) => {
    if (b.deviceToken) tokens[i] = b.deviceToken;
    return !b.required && b.reason === 'recognized_device' && (b.deviceToken !== undefined) === rotates;
  };
  const remember = async (i: number) =>
    prepare({ method: 'POST', path: `/v1/challenges/${challengeIds[i]!}/verify`, apiKey, body: { code: await h.totpCode(users[i]!), rememberDevice: true } }, h.clock.nowMs());
  const remembered = (i: number) => (b: ChallengeVerified) => {
    if (b.deviceToken) tokens[i] = b.deviceToken;
    return b.verified && b.deviceToken !== undefined;
  };

  h.clock.advance(30_000); // a TOTP step none of these users has used
  const challengeDeps = h.container();
  const verifyDeps = h.container();
  // user 0 warms both containers (tenant, API key, data key, signing key); the others are counted
  h.use(challengeDeps);
  const warm = [await invokeExpecting(challenge(0, { ip: ipOf(0), userAgent }), 201, challenged(0))];
  h.use(verifyDeps);
  warm.push(await invokeExpecting(await remember(0), 200, remembered(0)));
  if (warm.some(Boolean)) throw new Error(`bench: device warm-up failed: ${warm.join('; ')}`);

  const counted = users.slice(1).map((_, k) => k + 1);
  const phase = async (deps: typeof challengeDeps, op: (i: number) => Promise<string | undefined>): Promise<Leg> => {
    h.use(deps);
    const leg = new LegRecorder(h.log, 1);
    await leg.round(counted, op);
    return leg.result();
  };
  const unknownDevice = await phase(challengeDeps, (i) => invokeExpecting(challenge(i, { ip: ipOf(i), userAgent }), 201, challenged(i)));
  const rememberDevice = await phase(verifyDeps, async (i) => invokeExpecting(await remember(i), 200, remembered(i)));
  const deviceToken = await phase(challengeDeps, (i) => invokeExpecting(challenge(i, { deviceToken: tokens[i]!, userAgent }), 201, recognised(i, true)));
  const knownIp = await phase(challengeDeps, (i) => invokeExpecting(challenge(i, { ip: ipOf(i), userAgent }), 201, recognised(i, false)));
  progress(`  device checks counted (${counted.length} users, 4 kinds of call) at ${((nowMs() - started) / 1000).toFixed(1)} s`);

  // --- AssertionSigner alone: the first signature in a fresh container, then warm ones
  const signInput = (i: number) => ({ tenantId: tenant.tenantId, userId: users[i % users.length]!.userId, method: 'totp' as const, challengeId: `ch_bench${i}`, authTimeMs: h.clock.nowMs(), lifetimeSeconds: 300, epoch: undefined, emailCountsAsMfa: false });
  const signer = h.container().assertions;
  const coldMark = h.log.mark();
  const t0 = nowMs();
  await signer.sign(signInput(0));
  const coldMs = nowMs() - t0;
  const cold = h.log.tallySince(coldMark);
  const warmMark = h.log.mark();
  const us: number[] = [];
  for (let i = 1; i <= options.signatures; i++) {
    const s0 = nowMs();
    await signer.sign(signInput(i));
    us.push((nowMs() - s0) * 1000);
  }
  const sorted = us.sort((a, b) => a - b);
  const signing = { signatures: us.length, medianUs: median(sorted), p95Us: percentile(sorted, 95), kms: h.log.tallySince(warmMark).kms, coldMs, cold };
  progress(`  ${us.length} assertions signed: median ${signing.medianUs.toFixed(0)} µs`);

  return { users: counted.length, deviceToken, knownIp, unknownDevice, rememberDevice, signing };
}
