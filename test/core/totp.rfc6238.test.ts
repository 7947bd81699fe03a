import { describe, expect, it } from 'vitest';
import { matchTotp, totpCode, type TotpKey } from '@twofold/core';

// RFC 6238 Appendix B: test vectors for SHA-1, SHA-256 and SHA-512, 8 digits, 30 s steps.
const seeds = {
  sha1: '12345678901234567890',
  sha256: '12345678901234567890123456789012',
  sha512: '1234567890123456789012345678901234567890123456789012345678901234',
} as const;

const vectors: [number, string, keyof typeof seeds][] = [
  [59, '94287082', 'sha1'], [59, '46119246', 'sha256'], [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'], [1111111109, '68084774', 'sha256'], [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'], [1111111111, '67062674', 'sha256'], [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'], [1234567890, '91819424', 'sha256'], [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'], [2000000000, '90698825', 'sha256'], [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'], [20000000000, '77737706', 'sha256'], [20000000000, '47863826', 'sha512'],
];

const keyOf = (algorithm: keyof typeof seeds): TotpKey => ({
  secret: new TextEncoder().encode(seeds[algorithm]),
  algorithm,
  digits: 8,
  period: 30,
});

describe('TOTP against RFC 6238 appendix B', () => {
  it.each(vectors)('at T=%i the code is %s (%s)', async (time, expected, algorithm) => {
    expect(await totpCode(keyOf(algorithm), time)).toBe(expected);
    expect(matchTotp(keyOf(algorithm), expected, { epochSeconds: time, window: 0 })).toBe(Math.floor(time / 30));
  });
});

describe('TOTP window and replay protection', () => {
  const key = keyOf('sha1');
  const t = 1111111111; // step 37037037
  const step = Math.floor(t / 30);

  it('accepts the previous and next step with window 1, not two steps away', async () => {
    expect(matchTotp(key, await totpCode(key, t - 30), { epochSeconds: t, window: 1 })).toBe(step - 1);
    expect(matchTotp(key, await totpCode(key, t + 30), { epochSeconds: t, window: 1 })).toBe(step + 1);
    expect(matchTotp(key, await totpCode(key, t - 60), { epochSeconds: t, window: 1 })).toBeUndefined();
    expect(matchTotp(key, await totpCode(key, t + 30), { epochSeconds: t, window: 0 })).toBeUndefined();
  });

  it('refuses a step at or before the last one used', async () => {
    const code = await totpCode(key, t);
    expect(matchTotp(key, code, { epochSeconds: t, window: 1, afterStep: step })).toBeUndefined();
    expect(matchTotp(key, code, { epochSeconds: t, window: 1, afterStep: step - 1 })).toBe(step);
  });

  it('refuses a code of the wrong length', async () => {
    expect(matchTotp(key, (await totpCode(key, t)).slice(2), { epochSeconds: t, window: 1 })).toBeUndefined();
  });
});
