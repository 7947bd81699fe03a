import { describe, expect, it } from 'vitest';
import { attemptsRemaining, lockStateOf, retryAfterSeconds } from '@twofold/core';

describe('lock state', () => {
  const now = 1_000_000;
  it('is unlocked with no failures or an ended window', () => {
    expect(lockStateOf(undefined, now)).toEqual({ locked: false, lockedUntilMs: null, failures: 0 });
    expect(lockStateOf({ failures: 5, maxAttempts: 5, windowEndsAtMs: now }, now).locked).toBe(false);
  });
  it('locks at the limit until the window ends', () => {
    expect(lockStateOf({ failures: 5, maxAttempts: 5, windowEndsAtMs: now + 1 }, now)).toEqual({ locked: true, lockedUntilMs: now + 1, failures: 5 });
    expect(lockStateOf({ failures: 4, maxAttempts: 5, windowEndsAtMs: now + 1 }, now).locked).toBe(false);
  });
  it('counts what remains and rounds the wait up', () => {
    expect(attemptsRemaining({ locked: false, lockedUntilMs: null, failures: 3 }, 5)).toBe(2);
    expect(attemptsRemaining({ locked: false, lockedUntilMs: null, failures: 3 }, null)).toBeNull();
    expect(retryAfterSeconds(now + 1500, now)).toBe(2);
  });
});
