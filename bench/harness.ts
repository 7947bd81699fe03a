/**
 * What every part of the bench stands on: one DynamoDB engine (./engine.ts: in memory, in a process of its own), one
 * call log, the counting KMS/EventBridge/SNS/SES stand-ins, a clock the bench moves, and
 * "containers": each a Lambda container's own dependencies (clients, caches) built by the real
 * composition root over the same stores. Users are enrolled through the real handlers.
 */
import { generate } from 'otplib';
import { Policy, type ChallengeCreated, type CreateChallengeBody, type FactorEnrollment, type FactorVerified, type TotpEnrollment } from '@twofold/contract';
import { createTenant, type Clock, type NewTenant } from '@twofold/core';
import { buildDependencies, loadConfig, provideDependencies, type Config, type Dependencies } from '@twofold/runtime';
import { expectStatus } from './api';
import { CallLog, type Tally } from './call-log';
import { CapturingSenders, CountingKeyVault, CountingPublisher } from './counting-ports';
import { startBenchDynamo, type BenchDynamo } from './engine';
import { forEachLimited } from './stats';

export class BenchClock implements Clock {
  constructor(private ms: number) {}
  nowMs() {
    return this.ms;
  }
  advance(ms: number) {
    this.ms += ms;
  }
}

export interface TotpUser {
  userId: string;
  factorId: string;
  secret: string;
  algorithm: 'sha1' | 'sha256' | 'sha512';
  digits: number;
  period: number;
  /** The recovery codes shown at enrolment (the user's first factor). */
  recoveryCodes: string[];
}

export interface OtpUser {
  userId: string;
  channel: 'sms' | 'email';
  destination: string;
}

function totpParametersOf(otpauthUri: string) {
  const q = new URL(otpauthUri).searchParams;
  return {
    algorithm: (q.get('algorithm') ?? 'SHA1').toLowerCase() as TotpUser['algorithm'],
    digits: Number(q.get('digits') ?? 6),
    period: Number(q.get('period') ?? 30),
  };
}

export class Harness {
  readonly log: CallLog;
  readonly vault: CountingKeyVault;
  readonly publisher: CountingPublisher;
  readonly senders: CapturingSenders;
  /** A step boundary plus one second: advancing by whole steps keeps codes a step apart. */
  readonly clock = new BenchClock((Math.floor(Date.now() / 30_000) + 1) * 30_000 + 1_000);
  private readonly config: Config;
  private readonly containers: Dependencies[] = [];
  /** The container that enrols users and makes challenges outside the timed parts. */
  readonly setup: Dependencies;

  private constructor(
    readonly dynamo: BenchDynamo,
    readonly setupConcurrency: number,
  ) {
    this.log = new CallLog(dynamo.tableNames);
    this.vault = new CountingKeyVault(this.log);
    this.publisher = new CountingPublisher(this.log);
    this.senders = new CapturingSenders(this.log);
    // configured as a deployment in AWS is (KMS, EventBridge); the ports those reach are replaced below
    const env: Record<string, string> = {
      TWOFOLD_KEY_VAULT: 'kms',
      TWOFOLD_KMS_KEY_ID: 'bench-key',
      TWOFOLD_EVENT_BUS: 'twofold-bench',
      TWOFOLD_DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: 'local',
      // the quota has a section of its own (tenants.ts); here, on the bench's clock that only
      // moves when told, a tenant's bucket would not refill: the most the config allows
      TWOFOLD_TENANT_REQUESTS_PER_SECOND: '100000',
      TWOFOLD_TENANT_BURST: '1000000',
    };
    // every table the local runtime makes, under the variable the config reads it from
    for (const [alias, name] of Object.entries(dynamo.tableNames)) env[`TWOFOLD_${alias.toUpperCase()}_TABLE`] = name;
    this.config = loadConfig(env);
    this.setup = this.container();
  }

  static async start(setupConcurrency: number): Promise<Harness> {
    const dynamo = await startBenchDynamo();
    try {
      return new Harness(dynamo, setupConcurrency);
    } catch (error) {
      await dynamo.stop();
      throw error;
    }
  }

  /** A fresh Lambda container: its own SDK client and caches (tenant 30 s, API key 60 s, data keys). */
  container(): Dependencies {
    const deps = buildDependencies(this.config, {
      clock: this.clock,
      vault: this.vault,
      publisher: this.publisher,
      sms: this.senders.sms,
      email: this.senders.email,
    });
    this.log.attach(deps.dynamo);
    // before its first call: it keeps the middleware it had then (cacheMiddleware)
    this.log.attach(deps.hotDynamo);
    this.containers.push(deps);
    return deps;
  }

  /** The handlers' `dependencies()` answers with this container from now on. */
  use(deps: Dependencies): void {
    provideDependencies(deps);
  }

  async tenant(name: string, policy: Partial<Policy> = {}): Promise<NewTenant> {
    const { setup, clock } = this;
    const tenant = await createTenant({ tenants: setup.tenants, vault: setup.vault, random: setup.random, clock }, { name });
    await setup.tenants.putPolicy(tenant.tenantId, Policy.parse({ totp: { issuer: name }, ...policy }));
    return tenant;
  }

  /**
   * A timed round starts a TOTP step (or an hour) after the last: a live container would have
   * refreshed its tenant (30 s) and API key (60 s) caches once meanwhile. This does it before
   * the round, so the round measures the steady state; returns what the refresh cost.
   */
  async refreshCaches(deps: Dependencies, tenant: NewTenant): Promise<Tally> {
    const mark = this.log.mark();
    await deps.tenant(tenant.tenantId);
    await deps.authenticate(`Bearer ${tenant.appKey}`);
    return this.log.tallySince(mark);
  }

  totpCode(user: TotpUser): Promise<string> {
    return generate({ secret: user.secret, algorithm: user.algorithm, digits: user.digits, period: user.period, epoch: Math.floor(this.clock.nowMs() / 1000) });
  }

  /** A challenge for each user, made by the challenge function in the setup container (not timed). */
  async challenges(apiKey: string, userIds: string[], body: CreateChallengeBody = {}): Promise<ChallengeCreated[]> {
    this.use(this.setup);
    const created = new Array<ChallengeCreated>(userIds.length);
    await forEachLimited(userIds, this.setupConcurrency, async (userId, i) => {
      created[i] = await expectStatus<ChallengeCreated>({ method: 'POST', path: `/v1/users/${userId}/challenges`, apiKey, body }, this.clock.nowMs(), 201);
    });
    return created;
  }

  /** Users with a confirmed authenticator, enrolled through the enrollment function. */
  async enrolTotpUsers(apiKey: string, userIds: string[]): Promise<TotpUser[]> {
    this.use(this.setup);
    const users: TotpUser[] = [];
    await forEachLimited(userIds, this.setupConcurrency, async (userId) => {
      const enrolment = await expectStatus<TotpEnrollment>({ method: 'POST', path: `/v1/users/${userId}/factors`, apiKey, body: { type: 'totp' } }, this.clock.nowMs(), 201);
      const user: TotpUser = { userId, factorId: enrolment.factorId, secret: enrolment.secret, recoveryCodes: [], ...totpParametersOf(enrolment.otpauthUri) };
      const confirmed = await expectStatus<FactorVerified>(
        { method: 'POST', path: `/v1/users/${userId}/factors/${user.factorId}/verify`, apiKey, body: { code: await this.totpCode(user) } },
        this.clock.nowMs(),
        200,
      );
      user.recoveryCodes = confirmed.recoveryCodes ?? [];
      users.push(user);
    });
    return users.sort((a, b) => a.userId.localeCompare(b.userId));
  }

  /** Users with a confirmed SMS or email factor: the code that was sent confirms it. */
  async enrolOtpUsers(apiKey: string, users: OtpUser[]): Promise<void> {
    this.use(this.setup);
    await forEachLimited(users, this.setupConcurrency, async (u) => {
      const body = u.channel === 'sms' ? { type: 'sms', phone: u.destination } : { type: 'email', email: u.destination };
      const enrolment = await expectStatus<FactorEnrollment>({ method: 'POST', path: `/v1/users/${u.userId}/factors`, apiKey, body }, this.clock.nowMs(), 201);
      await expectStatus<FactorVerified>(
        { method: 'POST', path: `/v1/users/${u.userId}/factors/${enrolment.factorId}/verify`, apiKey, body: { code: this.senders.lastCode(u.destination) } },
        this.clock.nowMs(),
        200,
      );
    });
  }

  async stop(): Promise<void> {
    for (const deps of this.containers) deps.dynamo.destroy();
    await this.dynamo.stop();
  }
}
