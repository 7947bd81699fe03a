import { describe, expect, it } from 'vitest';
import { newRecoveryCodes, normaliseRecoveryCode, RECOVERY_CODE_BITS } from '@twofold/core';
import { random } from '../support/fakes';

describe('recovery codes', () => {
  it('carry at least 60 bits in four readable groups', () => {
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(60);
    for (const code of newRecoveryCodes(random, 50)) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
  });

  it('are distinct within a set and spread over the alphabet', () => {
    const codes = newRecoveryCodes(random, 16);
    expect(new Set(codes).size).toBe(16);
    const chars = new Set(newRecoveryCodes(random, 200).join('').replace(/-/g, ''));
    expect(chars.size).toBe(32);
  });

  it('read case, dashes, spaces and look-alike letters the way Crockford base32 does', () => {
    expect(normaliseRecoveryCode('ABCD-EFGH-JKMN-PQRS')).toBe('abcdefghjkmnpqrs');
    expect(normaliseRecoveryCode(' abcd efgh jkmn pqrs ')).toBe('abcdefghjkmnpqrs');
    expect(normaliseRecoveryCode('O0IL-0000-0000-0000')).toBe('0011000000000000');
    expect(normaliseRecoveryCode('abcd-efgh-jkmn-pqr')).toBeUndefined();
    expect(normaliseRecoveryCode('abcd-efgh-jkmn-pqru')).toBeUndefined();
  });
});
