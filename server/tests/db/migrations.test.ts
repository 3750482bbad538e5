import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDatabase } from '../../src/db/create-database';
import { getMigrationStatus, runMigrations } from '../../src/db/migrate';
import { LATEST_MIGRATION, serverMigrations } from '../../migrations/migrations.index';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

let current: TestDatabase | null = null;
afterEach(async () => {
  await current?.destroy();
  current = null;
});

describe('server migrations', () => {
  it('migrate an empty database to the latest version', async () => {
    current = await createTestDatabase({ migrated: false });
    expect((await getMigrationStatus(current.db)).current).toBe(false);

    const result = await runMigrations(current.db);

    expect(result.results?.map((r) => r.status)).toEqual(Object.keys(serverMigrations).map(() => 'Success'));
    const status = await getMigrationStatus(current.db);
    expect(status).toMatchObject({ current: true, pending: [], latest: LATEST_MIGRATION });
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public'`.execute(current.db);
    const names = tables.rows.map((r) => r.table_name);
    for (const table of [
      'organizations',
      'users',
      'memberships',
      'clients',
      'campaigns',
      'performance_metrics',
      'audit_log',
      'sessions',
    ]) {
      expect(names).toContain(table);
    }
  });

  it('let two migrators started together apply each migration exactly once', async () => {
    current = await createTestDatabase({ migrated: false });
    const first = createDatabase({ url: current.url, maxConnections: 2 });
    const second = createDatabase({ url: current.url, maxConnections: 2 });
    try {
      const [a, b] = await Promise.all([runMigrations(first), runMigrations(second)]);
      const applied = [...(a.results ?? []), ...(b.results ?? [])].filter((r) => r.status === 'Success');
      expect(applied.map((r) => r.migrationName).sort()).toEqual(Object.keys(serverMigrations).sort());
      const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(current.db);
      expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(serverMigrations).sort());
    } finally {
      await first.destroy();
      await second.destroy();
    }
  });

  it('is a no-op on an up-to-date database', async () => {
    current = await createTestDatabase();
    const result = await runMigrations(current.db);
    expect(result.results).toEqual([]);
  });
});
