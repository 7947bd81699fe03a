import type { Random } from './ports';

/** 128 random bits, base64url: unguessable ids for factors, challenges and tenants. */
export function newId(random: Random, prefix: 'f' | 'ch' | 'tn' | 'key'): string {
  return `${prefix}_${Buffer.from(random.bytes(16)).toString('base64url')}`;
}

/** The random part of a challenge id: 128 bits, 22 base64url characters. */
const RANDOM_CHARS = 22;

/**
 * A challenge id: 128 random bits, then the user's id (base64url). The id leads to the user's
 * partition, where the challenge lives beside the user's failure count and used TOTP steps, so
 * that answering it is one read and one write. The user's id is the client app's own, not a
 * secret; the random part is what makes a challenge unguessable.
 */
export function newChallengeId(random: Random, userId: string): string {
  return `${newId(random, 'ch')}${Buffer.from(userId, 'utf8').toString('base64url')}`;
}

/** The user a challenge id belongs to; undefined for an id this service did not make. */
export function userIdOfChallenge(challengeId: string): string | undefined {
  const encoded = challengeId.slice(3 + RANDOM_CHARS);
  if (!challengeId.startsWith('ch_') || encoded.length === 0) return undefined;
  const userId = Buffer.from(encoded, 'base64url').toString('utf8');
  return Buffer.from(userId, 'utf8').toString('base64url') === encoded ? userId : undefined;
}
