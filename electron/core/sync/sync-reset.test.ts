import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type AppDatabase } from '../db/open-database';
import { generateDemoData } from '../demo/demo-data.service';
import { createLocalEdits } from './local-edits.service';
import { countPending } from './outbox.repository';
import { resetSyncedData } from './sync-reset';
import { count, expectRollupsExact } from './sync-test-helpers';

let handle: AppDatabase | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

describe('resetting synced data', { timeout: 30_000 }, () => {
  it('empties a full local cache (every table the demo fills) with foreign keys on, keeping queued edits', async () => {
    handle = await openDatabase({ filename: ':memory:' });
    await generateDemoData(handle, {
      now: new Date('2026-03-15T18:00:00Z'),
      seed: 3,
      shape: { clients: 2, campaignsPerClient: 2, adsPerCampaign: 3, alwaysOnShare: 0.5, flightDays: [20, 40] },
    });
    const sqlite = handle.sqlite;
    const campaignId = sqlite.prepare('SELECT id FROM campaigns LIMIT 1').pluck().get() as string;
    createLocalEdits({ sqlite, now: () => new Date() }).updateCampaign({ campaignId, changes: { name: 'Queued' } });
    for (const table of ['approvals', 'experiments', 'alert_events', 'memberships', 'metrics_daily']) {
      expect(count(sqlite, table)).toBeGreaterThan(0);
    }

    resetSyncedData(sqlite);

    const tables = sqlite
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND name NOT IN ('outbox', 'sync_state', 'sync_rejections', 'cache_counters', 'kysely_migration',
             'kysely_migration_lock')`,
      )
      .pluck()
      .all() as string[];
    for (const table of tables) expect([table, count(sqlite, table)]).toEqual([table, 0]);
    expect(countPending(sqlite)).toBe(1);
    expectRollupsExact(sqlite);
  });
});
