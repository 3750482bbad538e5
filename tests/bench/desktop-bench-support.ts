import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface Timing {
  iterations: number;
  p50: number;
  p95: number;
  mean: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Times `fn` after warm-up runs; milliseconds. */
export async function measure(fn: () => unknown, options: { iterations: number; warmup?: number }): Promise<Timing> {
  for (let i = 0; i < (options.warmup ?? 3); i += 1) await fn();
  const samples: number[] = [];
  for (let i = 0; i < options.iterations; i += 1) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return {
    iterations: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    mean: samples.reduce((s, v) => s + v, 0) / samples.length,
  };
}

export function ms(value: number): string {
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 1) return `${value.toFixed(2)} ms`;
  return `${value.toFixed(3)} ms`;
}

/** The machine a number was measured on: the figures mean nothing without it. */
export function machineInfo(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
  const free = execFileSync('free', ['-h'], { encoding: 'utf8' }).split('\n')[1]?.replace(/\s+/g, ' ') ?? '';
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `nproc ${os.availableParallelism()}, ${cpu}, free -h: ${free.trim()}, load average ${load}, Node ${process.version}`;
}

export function assertEqual(label: string, actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) {
    throw new Error(
      `${label}: the service and the raw query disagree.\nservice: ${a.slice(0, 400)}\nraw:     ${b.slice(0, 400)}`,
    );
  }
}
