/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): the n-th
 * retry waits a uniformly random time in [0, min(cap, base * 2^n)]. Full jitter spreads a fleet of desktops
 * that lost the server at the same moment, so they do not all come back in lockstep when it returns.
 */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** Uniform in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next retry; each call counts one more failure. */
  nextDelayMs(): number;
  /** After a success: the next failure starts from the base again. */
  reset(): void;
  /** Failures since the last success. */
  readonly attempts: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 1_000;
export const DEFAULT_BACKOFF_CAP_MS = 60_000;

export function createBackoff(options: BackoffOptions = {}): Backoff {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const random = options.random ?? Math.random;
  let attempts = 0;
  return {
    nextDelayMs() {
      // 2^attempts overflows to Infinity long after it passed the cap; Math.min keeps it finite.
      const ceiling = Math.min(cap, base * 2 ** attempts);
      attempts += 1;
      return Math.floor(random() * ceiling);
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
