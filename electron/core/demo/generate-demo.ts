import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/open-database';
import { generateDemoData } from './demo-data.service';

/**
 * Writes a demo cache file:
 *   npx tsx electron/core/demo/generate-demo.ts --out demo.sqlite [--scale 10000000] [--seed 7]
 *     [--campaigns 100000] [--today 2026-01-31T12:00:00Z]
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      scale: { type: 'string' },
      seed: { type: 'string' },
      campaigns: { type: 'string' },
      today: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const positiveInt = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw.replace(/_/g, ''));
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new Error(`--${name} must be a positive integer, got "${raw}".`);
    return value;
  };
  if (values.out === undefined) throw new Error('--out <file.sqlite> is required.');
  // Parse every option before touching the file system, so a typo leaves nothing behind.
  const seed = positiveInt('seed', values.seed);
  const scale = positiveInt('scale', values.scale);
  const campaigns = positiveInt('campaigns', values.campaigns);
  const now = values.today === undefined ? new Date() : new Date(values.today);
  if (Number.isNaN(now.getTime())) throw new Error(`--today must be an ISO date-time, got "${values.today}".`);
  if (fs.existsSync(values.out)) {
    if (!values.force) throw new Error(`${values.out} already exists; pass --force to replace it.`);
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${values.out}${suffix}`, { force: true });
  }

  const started = performance.now();
  const handle = await openDatabase({ filename: values.out });
  try {
    let lastPrint = 0;
    const summary = await generateDemoData(handle, {
      now,
      seed,
      scale,
      campaigns,
      onProgress: ({ metricRows, clientsDone, clients }) => {
        const elapsed = (performance.now() - started) / 1000;
        if (elapsed - lastPrint < 0.5 && clientsDone < clients) return;
        lastPrint = elapsed;
        const rate = Math.round(metricRows / Math.max(elapsed, 0.001));
        process.stderr.write(
          `\rclients ${clientsDone}/${clients}  metric rows ${metricRows.toLocaleString('en-US')}  ${rate.toLocaleString('en-US')} rows/s  ${elapsed.toFixed(1)} s   `,
        );
      },
    });
    handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    process.stderr.write('\n');
    process.stdout.write(
      `${JSON.stringify({ out: values.out, ...summary, seconds: Math.round((performance.now() - started) / 100) / 10 })}\n`,
    );
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? error.message : JSON.stringify(error)}\n`);
  process.exit(1);
});
