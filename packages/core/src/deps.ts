import type { KeyRing } from './keyring';
import type { ChallengeStore, Clock, Random, TenantDirectory, UserStore } from './ports';
import type { TenantRecord } from './records';

/** What the use cases are given: ports only, chosen by the runtime's wiring. */
export interface CoreDeps {
  clock: Clock;
  random: Random;
  users: UserStore;
  challenges: ChallengeStore;
  tenants: TenantDirectory;
  keyRing: KeyRing;
  /** The tenant record, cached briefly in the container (policy and wrapped data key). */
  tenant(tenantId: string): Promise<TenantRecord>;
}

/** The caller, as the authorizer established it from the API key. */
export interface Caller {
  tenantId: string;
  scope: 'app' | 'admin';
}
