/**
 * The local runtime for end-to-end tests: the test run's DynamoDB Local (or an engine of its own), an
 * injected clock the test moves, one tenant with its keys, and helpers that enrol and log in
 * the way a client app and an authenticator app would, over HTTP.
 */
import type { NewTenant } from '@twofold/core';
import type { LocalEngine } from '@twofold/local/dynamodb-local';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { startTwin } from '@twofold/local/twin/twin';
import { api, type Api } from './api';
import { twinAssembly } from './twin';
import { oathtool, parseOtpauthUri, zbarimg, type OtpauthKey } from './authenticator';
import { ManualClock } from './fakes';

export interface Twofold {
  runtime: LocalRuntime;
  baseUrl: string;
  clock: ManualClock;
  tenant: NewTenant;
  /** Calls with the tenant's app key */
  app: Api;
  /** Calls with the tenant's admin key */
  admin: Api;
  /** Calls without a key */
  anon: Api;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Keep the data here (survives a restart); in memory when omitted */
  dataDir?: string;
  clock?: ManualClock;
  tenantName?: string;
  /** Use this existing tenant (after a restart) instead of creating one */
  tenant?: NewTenant;
  /** Start this engine instead of using the test run's shared DynamoDB Local (with a dataDir: the one the directory was made with) */
  engine?: LocalEngine;
  /** 'memory': every storage port in memory (test/support/test-service.ts); the twin runs on its own DynamoDB Local whatever this says */
  storage?: 'memory';
}

/**
 * TWOFOLD_TEST_RUNTIME=twin (the vitest project `twin`) runs a suite on the deployment twin: the
 * synthesized template, each function from its bundle, IAM evaluated on every AWS call.
 */
export const onTwin = process.env.TWOFOLD_TEST_RUNTIME === 'twin';

/**
 * The deployment's default tenant quota in tests whose clock the test moves: the quota's buckets
 * refill by the clock, so with time stood still a tenant would run dry after its burst (2,000
 * requests by default). The quota itself is tested in real time (tenant-quota.noisy-neighbour.test.ts).
 */
export const stillClockQuota = { requestsPerSecond: 100_000, burst: 1_000_000 };

export async function startTwofold(options: StartOptions = {}): Promise<Twofold> {
  const clock = options.clock ?? new ManualClock();
  const runtime: LocalRuntime = onTwin ? await startTwin({ assembly: twinAssembly(), port: 0, clock, scheduleTimers: false, ...(options.dataDir ? { dataDir: options.dataDir } : {}) }) : await startLocalRuntime({ port: 0, clock, graceTimer: false, tenantQuota: stillClockQuota, ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...(options.engine ? { engine: options.engine } : {}), ...(options.storage ? { storage: options.storage } : {}) });
  const tenant = options.tenant ?? (await runtime.createTenant(options.tenantName ?? 'Acme Corp'));
  return {
    runtime,
    baseUrl: runtime.baseUrl,
    clock,
    tenant,
    app: api(runtime.baseUrl, tenant.appKey),
    admin: api(runtime.baseUrl, tenant.adminKey),
    anon: api(runtime.baseUrl),
    stop: () => runtime.stop(),
  };
}

/** The TOTP period of the default policy; tests move the clock by whole steps. */
export const STEP_SECONDS = 30;

export interface Enrolment {
  factorId: string;
  /** The base32 secret, as read from the QR code */
  secret: string;
  /** What the QR code holds */
  key: OtpauthKey;
  otpauthUri: string;
  /** The code that confirmed the factor */
  confirmCode: string;
  recoveryCodes: string[];
  /** The whole 201 body of the enrollment (it holds the secret) */
  started: Record<string, unknown>;
}

/**
 * Enrols an authenticator for `userId` as a person would: scans the QR code (zbarimg), lets the
 * authenticator (oathtool) make a code at the server's current time, and confirms the factor.
 */
export async function enrolTotp(t: Pick<Twofold, 'clock'>, call: Api, userId: string): Promise<Enrolment> {
  const started = await call('POST', `/v1/users/${userId}/factors`, { type: 'totp' });
  if (started.status !== 201) throw new Error(`enrolling ${userId}: ${started.status} ${started.text}`);
  const otpauthUri = await zbarimg(started.body.qrCode);
  const key = parseOtpauthUri(otpauthUri);
  const confirmCode = await oathtool(key.secret, t.clock.nowMs());
  const confirmed = await call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: confirmCode });
  if (confirmed.status !== 200) throw new Error(`confirming ${userId}: ${confirmed.status} ${confirmed.text}`);
  return { factorId: started.body.factorId, secret: key.secret, key, otpauthUri, confirmCode, recoveryCodes: confirmed.body.recoveryCodes ?? [], started: started.body };
}

/** Moves the clock to the next TOTP step and returns the authenticator's code there. */
export async function nextCode(t: Pick<Twofold, 'clock'>, secret: string): Promise<string> {
  t.clock.advanceSeconds(STEP_SECONDS);
  return oathtool(secret, t.clock.nowMs());
}

/** Starts a login: POST /v1/users/{userId}/challenges, expecting a required challenge. */
export async function challengeFor(call: Api, userId: string, body: Record<string, unknown> = {}): Promise<string> {
  const r = await call('POST', `/v1/users/${userId}/challenges`, body);
  if (r.status !== 201 || typeof r.body.challengeId !== 'string') throw new Error(`challenge for ${userId}: ${r.status} ${r.text}`);
  return r.body.challengeId;
}

/** Statuses of responses, counted: `{200: 1, 422: 19}`. */
export function tally(responses: { status: number }[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of responses) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}
