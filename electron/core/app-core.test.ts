import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rpcContract } from '@kiki/shared/contract/rpc-contract';
import { createAppCore, DATABASE_FILE_NAME, type AppCore } from './app-core';

const dirs: string[] = [];
const cores: AppCore[] = [];
afterEach(() => {
  for (const core of cores.splice(0)) core.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiki-core-'));
  dirs.push(dir);
  return path.join(dir, 'nested', 'data');
}

describe('createAppCore', () => {
  it('creates the data folder and an empty, migrated cache', async () => {
    const dataDir = tempDir();
    const core = await createAppCore({ dataDir, appVersion: '1.2.3' });
    cores.push(core);
    expect(fs.existsSync(path.join(dataDir, DATABASE_FILE_NAME))).toBe(true);
    const status = rpcContract['app.status'].output.parse(await core.handlers['app.status']({}));
    expect(status).toMatchObject({
      appVersion: '1.2.3',
      counts: { clients: 0, metricRows: 0 },
      latestMetricDate: null,
    });
    expect(status.schemaVersion).toBeGreaterThan(0);
  });

  it('fills an empty cache with demo data ending "today", once', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const now = () => new Date('2026-03-15T18:00:00Z');
    const first = await createAppCore({ dataDir, demo: true, now });
    const status = await first.handlers['app.status']({});
    expect(status.counts.clients).toBe(3);
    expect(status.counts.metricRows).toBeGreaterThan(200_000);
    // Tokyo is already on the 16th at 18:00 UTC.
    expect(status.latestMetricDate).toBe('2026-03-16');
    first.close();

    const again = await createAppCore({ dataDir, demo: true, now });
    cores.push(again);
    expect((await again.handlers['app.status']({})).counts).toEqual(status.counts);
  });
});
