import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const serverDir = path.resolve(import.meta.dirname, '../..');

function exitCodeOf(script: string): number | null {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: serverDir,
    encoding: 'utf8',
  });
  return result.status;
}

describe('loading the embedded PostgreSQL module', () => {
  // Vitest loads it in its main process (global setup) and reports failures through process.exitCode; if the
  // library's exit hook turned that into 0, failing tests would pass CI.
  it('keeps the exit code a process sets for itself', () => {
    expect(exitCodeOf(`await import('./src/db/embedded-postgres.ts'); process.exitCode = 3;`)).toBe(3);
  });

  it('still exits 0 when nothing failed', () => {
    expect(exitCodeOf(`await import('./src/db/embedded-postgres.ts');`)).toBe(0);
  });
});
