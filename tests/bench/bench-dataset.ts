import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../electron/core/db/open-database';
import { generateDemoData, type DemoSummary } from '../../electron/core/demo/demo-data.service';

/** Benchmarks use a fixed "now" so a cached dataset stays valid across days. */
export const BENCH_NOW = new Date('2026-06-30T12:00:00Z');
export const BENCH_DIR = path.resolve(import.meta.dirname, '../../.data/bench');

export interface BenchDatasetSpec {
  /** Approximate metric rows (more clients); or */
  scale?: number;
  /** a wide catalogue of this many short campaigns. */
  campaigns?: number;
  seed: number;
}

export function benchDatasetPath(spec: BenchDatasetSpec): string {
  const shape = spec.campaigns !== undefined ? `campaigns-${spec.campaigns}` : `rows-${spec.scale ?? 'default'}`;
  return path.join(BENCH_DIR, `desktop-${shape}-seed-${spec.seed}.sqlite`);
}

/**
 * Returns the path of a generated cache file for the spec, building it first if it is not cached under
 * .data/bench/. A file is only published (renamed into place) once complete, so an interrupted build
 * never poses as a dataset.
 */
export async function ensureBenchDataset(
  spec: BenchDatasetSpec,
  log = (line: string) => process.stderr.write(line),
): Promise<string> {
  const target = benchDatasetPath(spec);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const building = `${target}.building`;
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${building}${suffix}`, { force: true });
  const started = performance.now();
  const handle = await openDatabase({ filename: building });
  let summary: DemoSummary;
  try {
    let lastLog = 0;
    summary = await generateDemoData(handle, {
      now: BENCH_NOW,
      seed: spec.seed,
      scale: spec.scale,
      campaigns: spec.campaigns,
      onProgress: ({ metricRows, clientsDone, clients }) => {
        const seconds = (performance.now() - started) / 1000;
        if (seconds - lastLog < 1 && clientsDone < clients) return;
        lastLog = seconds;
        log(
          `\rbuilding ${path.basename(target)}: clients ${clientsDone}/${clients}, ${metricRows.toLocaleString('en-US')} metric rows, ${seconds.toFixed(0)} s   `,
        );
      },
    });
    handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    handle.sqlite.exec('ANALYZE');
  } finally {
    await handle.close();
  }
  fs.renameSync(building, target);
  for (const suffix of ['-wal', '-shm']) fs.rmSync(`${building}${suffix}`, { force: true });
  log(
    `\nbuilt ${path.basename(target)}: ${JSON.stringify(summary)} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return target;
}

/** `npx tsx tests/bench/bench-dataset.ts --scale 10000000 --seed 1` (or `--campaigns 100000`) prebuilds a dataset. */
if (process.argv[1] !== undefined && import.meta.filename === path.resolve(process.argv[1])) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const file = await ensureBenchDataset({ scale: arg('scale'), campaigns: arg('campaigns'), seed: arg('seed') ?? 1 });
  process.stdout.write(`${file}\n`);
}
