/** How many crashes in how long before main stops restarting core and tells the user instead. */
export const CORE_RESTART_LIMIT = { crashes: 5, windowMs: 60_000 };

export type RestartDecision = { restart: true; delayMs: number } | { restart: false };

/**
 * After a crash: restart with a delay that grows with recent crashes (so a core that dies on start
 * does not spin the CPU), and give up when it keeps crashing within the window.
 */
export function decideCoreRestart(recentCrashTimes: number[], now: number): RestartDecision {
  const recent = recentCrashTimes.filter((t) => now - t < CORE_RESTART_LIMIT.windowMs);
  if (recent.length >= CORE_RESTART_LIMIT.crashes) return { restart: false };
  return { restart: true, delayMs: Math.min(8_000, 250 * 2 ** Math.max(0, recent.length - 1)) };
}
