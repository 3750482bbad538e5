import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { openDatabase, schemaVersion, type AppDatabase } from './open-database';
import { desktopMigrations } from '../../../migrations/migrations.index';

let handle: AppDatabase | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

describe('desktop migrations', () => {
  it('migrate an empty database to the latest version', async () => {
    handle = await openDatabase({ filename: ':memory:' });
    expect(await schemaVersion(handle.db)).toBe(Object.keys(desktopMigrations).length);
    const tables = handle.sqlite
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
    for (const table of [
      'organizations',
      'clients',
      'users',
      'memberships',
      'campaigns',
      'ad_copies',
      'image_prompts',
      'video_prompts',
      'user_assets',
      'platform_deployments',
      'ads',
      'metrics_daily',
      'rollup_client_platform_day',
      'rollup_campaign_day',
      'rollup_campaign_month',
      'revenue_daily_summaries',
      'ltv_predictions',
      'approvals',
      'experiments',
      'alert_rules',
      'alert_events',
      'audit_log',
      'outbox',
      'sync_state',
    ]) {
      expect(tables).toContain(table);
    }
  });

  it('are idempotent: reopening an up-to-date database applies nothing twice', async () => {
    handle = await openDatabase({ filename: ':memory:' });
    const { migrateToLatest } = await import('./open-database');
    await migrateToLatest(handle.db);
    expect(await schemaVersion(handle.db)).toBe(Object.keys(desktopMigrations).length);
  });

  it('name migrations so they sort in the order they were written', () => {
    const names = Object.keys(desktopMigrations);
    expect([...names].sort()).toEqual(names);
    for (const name of names) expect(name).toMatch(/^\d{4}-[a-z0-9-]+$/);
  });
});

describe('the SQLite native binding', () => {
  it('loads the build it is given, so Electron can use its own build outside node_modules', async () => {
    const nodeBuild = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    handle = await openDatabase({ filename: ':memory:', nativeBinding: nodeBuild });
    expect(await schemaVersion(handle.db)).toBe(Object.keys(desktopMigrations).length);
  });

  it('fails loudly when the given build does not exist', async () => {
    await expect(
      openDatabase({ filename: ':memory:', nativeBinding: '/nonexistent/better_sqlite3.node' }),
    ).rejects.toThrow(/nonexistent/);
  });
});
