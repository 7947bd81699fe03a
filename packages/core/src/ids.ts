import type { Random } from './ports';

/** 128 random bits, base64url: unguessable ids for factors, challenges and tenants. */
export function newId(random: Random, prefix: 'f' | 'ch' | 'tn' | 'key'): string {
  return `${prefix}_${Buffer.from(random.bytes(16)).toString('base64url')}`;
}
