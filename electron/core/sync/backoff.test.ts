import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff';

describe('backoff with full jitter', () => {
  it('doubles the ceiling per failure up to the cap', () => {
    const backoff = createBackoff({ baseMs: 1_000, capMs: 60_000, random: () => 0.999999 });
    const delays = Array.from({ length: 9 }, () => backoff.nextDelayMs());
    expect(delays).toEqual([999, 1_999, 3_999, 7_999, 15_999, 31_999, 59_999, 59_999, 59_999]);
    expect(backoff.attempts).toBe(9);
  });

  it('draws each delay uniformly between zero and the ceiling', () => {
    const draws = [0, 0.5, 0.25];
    const backoff = createBackoff({ baseMs: 1_000, random: () => draws.shift() ?? 0 });
    expect([backoff.nextDelayMs(), backoff.nextDelayMs(), backoff.nextDelayMs()]).toEqual([0, 1_000, 1_000]);
  });

  it('stays within [0, cap] for many failures with real randomness', () => {
    const backoff = createBackoff({ baseMs: 1_000, capMs: 60_000 });
    for (let i = 0; i < 2_000; i++) {
      const delay = backoff.nextDelayMs();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(60_000);
      expect(Number.isFinite(delay)).toBe(true);
    }
  });

  it('starts from the base again after a success', () => {
    const backoff = createBackoff({ baseMs: 1_000, random: () => 0.999999 });
    for (let i = 0; i < 5; i++) backoff.nextDelayMs();
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.nextDelayMs()).toBe(999);
  });
});
