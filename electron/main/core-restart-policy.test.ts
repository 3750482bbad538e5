import { describe, expect, it } from 'vitest';
import { CORE_RESTART_LIMIT, decideCoreRestart } from './core-restart-policy';

describe('decideCoreRestart', () => {
  it('restarts quickly after a first crash and backs off on repeated ones', () => {
    expect(decideCoreRestart([1_000], 1_000)).toEqual({ restart: true, delayMs: 250 });
    expect(decideCoreRestart([1_000, 2_000], 2_000)).toEqual({ restart: true, delayMs: 500 });
    expect(decideCoreRestart([1_000, 2_000, 3_000, 4_000], 4_000)).toEqual({ restart: true, delayMs: 2_000 });
  });

  it('gives up when core keeps crashing within the window', () => {
    const crashes = Array.from({ length: CORE_RESTART_LIMIT.crashes }, (_, i) => i * 1_000);
    expect(decideCoreRestart(crashes, 5_000)).toEqual({ restart: false });
  });

  it('forgets crashes older than the window', () => {
    const old = Array.from({ length: 10 }, (_, i) => i);
    expect(decideCoreRestart([...old, 120_000], 120_000)).toEqual({ restart: true, delayMs: 250 });
  });
});
