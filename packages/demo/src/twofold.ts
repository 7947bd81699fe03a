/**
 * The demo's one door to Twofold: the typed client, @twofold/client, made with the app key and
 * used server-side only (the browser never sees the key, a secret or an assertion). Routes call
 * its methods and branch on TwofoldError's `code` (`invalid_code`, `locked`,
 * `fresh_verification_required`…), never on a status.
 *
 * Imported from the client's source: its package exports the built dist/ (`npm run build -w
 * @twofold/client`), and the demo, like the rest of the repo, runs from TypeScript source.
 */
import { createTwofoldClient, type TwofoldClient } from '../../client/src/index';

export { TwofoldError, isTwofoldError } from '../../client/src/index';
export type { ChallengeCreated, Device, Factor, FactorType, Method, Policy, User } from '../../client/src/index';

export type Twofold = TwofoldClient;

export interface TwofoldOptions {
  baseUrl: string;
  appKey: string;
}

export function createTwofold({ baseUrl, appKey }: TwofoldOptions): Twofold {
  return createTwofoldClient({ baseUrl, apiKey: appKey, headers: { 'user-agent': 'twofold-demo/0.1' } });
}
