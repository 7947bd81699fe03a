import { describe, expect, it } from 'vitest';
import { open, seal, SealedDataError } from '@twofold/core';
import { random } from '../support/fakes';

describe('sealed secrets are bound to where they belong', () => {
  const key = random.bytes(32);
  const secret = random.bytes(20);
  const binding = ['totp-secret', 'tn_A', 'alice', 'f_1'] as const;

  it('opens with the same key and binding', () => {
    expect(Buffer.from(open(key, seal(key, random, secret, binding), binding))).toEqual(Buffer.from(secret));
  });

  it.each([
    ['another user', ['totp-secret', 'tn_A', 'mallory', 'f_1']],
    ['another tenant', ['totp-secret', 'tn_B', 'alice', 'f_1']],
    ['another factor', ['totp-secret', 'tn_A', 'alice', 'f_2']],
  ])('does not open for %s', (_, other) => {
    expect(() => open(key, seal(key, random, secret, binding), other)).toThrow(SealedDataError);
  });

  it('does not open under another key, nor when tampered with', () => {
    const sealed = seal(key, random, secret, binding);
    expect(() => open(random.bytes(32), sealed, binding)).toThrow(SealedDataError);
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[14]! ^= 1;
    expect(() => open(key, `v1.${raw.toString('base64url')}`, binding)).toThrow(SealedDataError);
  });

  it('uses a fresh IV each time', () => {
    expect(seal(key, random, secret, binding)).not.toBe(seal(key, random, secret, binding));
  });
});
