import { spawnSync } from 'node:child_process';
import path from 'node:path';

/*
 * `npm run bench`: every benchmark in turn, each in its own process so one's caches and heap do not colour the
 * next. The 10M-row dataset is built once and cached in .data/bench/ (the first run takes minutes).
 * `npm run bench -- queries rpc` runs only the named ones. Results go to docs/benchmarks.md by hand, with the
 * machine and the date.
 */
const root = path.resolve(import.meta.dirname, '../..');
const BENCHMARKS = {
  queries: 'tests/bench/desktop-queries.bench.ts',
  campaigns: 'tests/bench/desktop-campaigns.bench.ts',
  ingest: 'tests/bench/desktop-ingest.bench.ts',
  'sync-metrics': 'tests/bench/sync-metrics-apply.bench.ts',
  'sync-initial': 'tests/bench/sync-initial.bench.ts',
  'sync-propagation': 'tests/bench/sync-propagation.bench.ts',
  rpc: 'tests/bench/rpc-websocket.bench.ts',
  server: 'server/bench/auth.bench.ts',
  'server-live': 'server/bench/live-connections.bench.ts',
  'server-metrics-pull': 'server/bench/metrics-pull.bench.ts',
} as const;
type BenchmarkName = keyof typeof BENCHMARKS;

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Choose from: ${Object.keys(BENCHMARKS).join(', ')}.`);
  process.exit(2);
}
const names = (requested.length > 0 ? requested : Object.keys(BENCHMARKS)) as BenchmarkName[];

const failed: string[] = [];
for (const name of names) {
  const file = BENCHMARKS[name];
  console.log(`\n### ${name} (${file})\n`);
  const cwd = file.startsWith('server/') ? path.join(root, 'server') : root;
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, file)], { cwd, stdio: 'inherit' });
  if (result.status !== 0) failed.push(`${name} (exit ${result.status ?? result.signal})`);
}
if (failed.length > 0) {
  console.error(`\nBenchmarks that failed or missed their target: ${failed.join(', ')}`);
  process.exit(1);
}
