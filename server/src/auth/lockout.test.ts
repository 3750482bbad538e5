import { describe, expect, it } from 'vitest';
import { assertNotLocked, lockDurationSeconds } from './lockout';

describe('lockout backoff', () => {
  it('locks after five failures for a minute, doubling each further failure, capped at an hour', () => {
    expect([1, 2, 3, 4].map(lockDurationSeconds)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8, 9, 10, 11, 50, 10_000].map(lockDurationSeconds)).toEqual([
      60, 120, 240, 480, 960, 1920, 3600, 3600, 3600,
    ]);
  });

  it('reports ACCOUNT_LOCKED with the seconds left while a lock is in force', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(() => assertNotLocked({ locked_until: null }, now)).not.toThrow();
    expect(() => assertNotLocked({ locked_until: new Date(now.getTime() - 1) }, now)).not.toThrow();
    expect(() => assertNotLocked({ locked_until: new Date(now.getTime() + 90_500) }, now)).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_LOCKED', details: { retryAfterSeconds: 91 } }),
    );
  });
});
