import type { AssertionSigner } from './login/assertions';
import type { KeyRing } from './keyring';
import type { ChallengeStore, Clock, DeviceStore, PromptStore, EmailSender, EventOutbox, EventPublisher, GraceDeadlines, Random, SendLimits, SendThrottle, SmsSender, TenantDirectory, TenantStats, UserStore } from './ports';
import type { TenantRecord } from './records';

/** What the use cases are given: ports only, chosen by the runtime's wiring. */
export interface CoreDeps {
  clock: Clock;
  random: Random;
  users: UserStore;
  challenges: ChallengeStore;
  devices: DeviceStore;
  prompts: PromptStore;
  outbox: EventOutbox;
  publisher: EventPublisher;
  tenants: TenantDirectory;
  stats: TenantStats;
  grace: GraceDeadlines;
  keyRing: KeyRing;
  assertions: AssertionSigner;
  /** Absent when the deployment has no SMS sender configured. */
  sms?: SmsSender;
  /** Absent when the deployment has no email sender configured. */
  email?: EmailSender;
  throttle: SendThrottle;
  sendLimits: SendLimits;
  /** The tenant record, cached briefly in the container (policy and wrapped data key). */
  tenant(tenantId: string): Promise<TenantRecord>;
  /** Drops the cached tenant record (after a policy change, so this container applies it at once). */
  forgetTenant(tenantId: string): void;
}

/** Who did something, for the audit trail: the user (through an app key), an admin, or the system. */
export type Actor = 'user' | 'admin' | 'system';

/** The caller, as the authorizer established it from the API key. */
export interface Caller {
  tenantId: string;
  scope: 'app' | 'admin';
  /** The API key the request came with (empty for public routes): the audit trail names an admin's key. */
  keyId: string;
  keyName: string;
}

/**
 * The admin API key a request came with, carried on the request's dependencies (the HTTP layer
 * adds it for admin callers): every event an admin's request records names the key (stampEvents).
 */
export interface Attribution {
  actingKey?: { keyId: string; name: string };
}

export const actorOf = (caller: Caller): Actor => (caller.scope === 'admin' ? 'admin' : 'user');
