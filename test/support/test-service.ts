/**
 * The service in-process on the memory adapters (better-auth's `getTestInstance`, for Twofold):
 * the same local runtime, functions, middleware and use cases as startTwofold(), over HTTP on
 * loopback, with every storage port in memory instead of on DynamoDB Local. The memory adapters
 * pass the same contract suites as the DynamoDB ones (test/adapters/*.contract.test.ts), so a
 * use-case test here proves what it proves there; races, faults and the engines' own behaviour
 * stay on DynamoDB Local (startTwofold), pages in Chromium. On the twin project it is the twin.
 */
import { startTwofold, type StartOptions, type Twofold } from './twofold';

export const testService = (options: Pick<StartOptions, 'clock' | 'tenantName'> = {}): Promise<Twofold> => startTwofold({ ...options, storage: 'memory' });
