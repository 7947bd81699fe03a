/**
 * The stage throttle and each function's reserved concurrency, derived from the goal (4,000
 * TOTP verifications/s and 1,000 code sends/s, across tenants) and the account's defaults
 * (API Gateway 10,000 requests/s and a burst of 5,000 per account and region; Lambda 1,000
 * concurrent executions, of which 100 must stay unreserved). docs/operations.md shows the table.
 *
 *   requests/s of a function  = its share of the goal (a login is one challenge and one verification)
 *   reserved concurrency      = ceil(requests/s × seconds per request × HEADROOM)   (Little's law)
 *   stage rate                = ceil(sum of the functions' requests/s × (1 + OTHER_TRAFFIC))
 */
import type { LambdaFunctionName } from './bundling';

export const GOAL = { verificationsPerSecond: 4000, sendsPerSecond: 1000 } as const;
export const ACCOUNT = { apiRequestsPerSecond: 10_000, apiBurst: 5000, lambdaConcurrency: 1000, lambdaUnreserved: 100 } as const;
/** Concurrency kept above the mean for bursts and slow calls. */
export const HEADROOM = 1.5;
/** Enrolment, admin, devices and health beside the logins, as a fraction of them. */
export const OTHER_TRAFFIC = 0.1;

/** Each HTTP function's load at the goal: requests/s and the seconds one takes warm (p99, in Lambda at 1024 MB). */
export const loadAtGoal: Partial<Record<LambdaFunctionName, { requestsPerSecond: number; secondsPerRequest: number; why: string }>> = {
  verify: { requestsPerSecond: GOAL.verificationsPerSecond, secondsPerRequest: 0.03, why: 'one per verification: 1 read + 1 write' },
  challenge: {
    requestsPerSecond: GOAL.verificationsPerSecond,
    // 3,000 challenges that send nothing (30 ms) and 1,000 that wait for SNS or SES (250 ms): 0.085 s on average
    secondsPerRequest: ((GOAL.verificationsPerSecond - GOAL.sendsPerSecond) * 0.03 + GOAL.sendsPerSecond * 0.25) / GOAL.verificationsPerSecond,
    why: 'one per login; a quarter of them send a code',
  },
  enrollment: { requestsPerSecond: 200, secondsPerRequest: 0.1, why: 'users and factors' },
  admin: { requestsPerSecond: 200, secondsPerRequest: 0.15, why: 'console and admin API' },
  devices: { requestsPerSecond: 100, secondsPerRequest: 0.05, why: 'trusted devices' },
  public: { requestsPerSecond: 100, secondsPerRequest: 0.05, why: 'health and JWKS' },
};

export const reservedConcurrencyAtGoal = Object.fromEntries(
  Object.entries(loadAtGoal).map(([fn, load]) => [fn, Math.ceil(load.requestsPerSecond * load.secondsPerRequest * HEADROOM)]),
) as Partial<Record<LambdaFunctionName, number>>;

const loginRequests = Object.values(loadAtGoal).reduce((sum, load) => sum + load.requestsPerSecond, 0);

/** The stage throttle: the goal's requests with room for the rest, within the account's API Gateway limits. */
export const stageThrottleAtGoal = {
  ratePerSecond: Math.min(ACCOUNT.apiRequestsPerSecond, Math.ceil((loginRequests * (1 + OTHER_TRAFFIC)) / 100) * 100),
  burst: ACCOUNT.apiBurst,
};

const reserved = Object.values(reservedConcurrencyAtGoal).reduce((sum, n) => sum + n, 0);
if (reserved > ACCOUNT.lambdaConcurrency - ACCOUNT.lambdaUnreserved) throw new Error(`reserved concurrency ${reserved} leaves less than ${ACCOUNT.lambdaUnreserved} of ${ACCOUNT.lambdaConcurrency} unreserved`);
