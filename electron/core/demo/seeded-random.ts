/**
 * A small seeded PRNG (mulberry32): the demo data set must be identical for the same seed so tests
 * and benchmarks can rely on it.
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** Roughly normal around 1 with the given spread, never below 0 (sum of uniforms, cheap). */
  jitter(spread: number): number;
  /** A UUIDv7 whose time part is `msecs` and whose random part comes from this generator. */
  uuid(msecs: number): string;
}

export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random = {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    between: (min: number, max: number) => min + next() * (max - min),
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick() needs a non-empty list');
      return item;
    },
    jitter: (spread: number) => Math.max(0, 1 + (next() + next() + next() - 1.5) * spread),
    uuid(msecs: number): string {
      // Built by hand rather than with uuid's v7(), which keeps hidden per-process state for
      // monotonicity and would make ids depend on what ran before.
      const hex = (bits: number, digits: number) => Math.floor(bits).toString(16).padStart(digits, '0');
      const word = () => Math.floor(next() * 4294967296);
      const time = hex(msecs, 12);
      const randA = hex(word() & 0xfff, 3);
      const randB = hex((word() & 0x3fff) | 0x8000, 4);
      const randC = hex(word() & 0xffff, 4) + hex(word(), 8);
      return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randA}-${randB}-${randC}`;
    },
  };
  return random;
}
