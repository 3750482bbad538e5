import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, createMigrator, migrateToLatest, type AppDatabase } from '../electron/core/db/open-database';

let handle: AppDatabase | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

const columns = (h: AppDatabase, table: string) =>
  h.sqlite
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
    .all()
    .map((c) => c.name);

describe('migration 0005-sync', () => {
  it('brings an empty cache to the sync schema, with no column for any token', async () => {
    handle = await openDatabase({ filename: ':memory:' });
    expect(columns(handle, 'campaigns')).toEqual(expect.arrayContaining(['status_version', 'budget_version']));
    expect(columns(handle, 'sync_state')).toEqual(
      expect.arrayContaining(['device_id', 'user_id', 'org_id', 'roles_json', 'initial_sync_done', 'last_error_json']),
    );
    expect(columns(handle, 'sync_metric_cursors')).toEqual(
      expect.arrayContaining(['client_id', 'cursor', 'phase', 'window_start', 'done', 'total']),
    );
    expect(columns(handle, 'sync_rejections')).toEqual(
      expect.arrayContaining(['kind', 'details_json', 'entity_type', 'entity_id']),
    );
    expect(columns(handle, 'approvals')).toContain('payload_json');
    const everyColumn = handle.sqlite
      .prepare<[], { name: string }>(
        "SELECT p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'",
      )
      .all()
      .map((c) => c.name);
    expect(everyColumn.filter((name) => /token|secret|password/i.test(name))).toEqual([]);
    // The outbox keeps AUTOINCREMENT, which is what makes sqlite_sequence track it.
    const outboxSql = handle.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox'").pluck().get();
    expect(outboxSql).toMatch(/AUTOINCREMENT/);
  });

  it('keeps the data of a cache at 0004, approvals included', async () => {
    handle = await openDatabase({ filename: ':memory:', migrate: false });
    const { error } = await createMigrator(handle.db).migrateTo('0004-cache-counters');
    expect(error).toBeUndefined();
    const sqlite = handle.sqlite;
    sqlite.exec(`
      INSERT INTO organizations VALUES ('org', 'Agency', 't', 't');
      INSERT INTO users VALUES ('u1', 'org', 'a@b.c', 'A', 't', 't');
      INSERT INTO clients (id, organization_id, name, currency, timezone, created_at, updated_at)
        VALUES ('cl', 'org', 'Acme', 'EUR', 'Europe/Paris', 't', 't');
      INSERT INTO campaigns (id, client_id, name, search_name, objective, status, budget_type, budget_micros,
        start_date, created_at, updated_at)
        VALUES ('ca', 'cl', 'Spring', 'spring', 'sales', 'active', 'daily', 5000000, '2025-01-01', 't', 't');
      INSERT INTO approvals (id, client_id, campaign_id, kind, status, requested_by, current_budget_micros,
        requested_budget_micros, reason, created_at)
        VALUES ('ap', 'cl', 'ca', 'budget_change', 'pending', 'u1', 5000000, 9000000, 'Scale up', 't');
      INSERT INTO outbox (name, args_json, created_at) VALUES ('campaign.rename', '{}', 't');
      INSERT INTO sync_state (id, client_install_id, cursor) VALUES (1, 'install', 'cur');
      INSERT INTO sync_rejections VALUES (7, 'campaign.rename', '{}', 'FORBIDDEN', 'no', 't');
    `);
    await migrateToLatest(handle.db);

    expect(sqlite.prepare('SELECT name, status_version, budget_version FROM campaigns').get()).toEqual({
      name: 'Spring',
      status_version: 0,
      budget_version: 0,
    });
    const approval = sqlite
      .prepare(
        'SELECT requested_by, current_budget_micros, requested_budget_micros, reason, payload_json FROM approvals',
      )
      .get() as Record<string, unknown>;
    expect(approval).toMatchObject({ requested_by: 'u1', reason: 'Scale up', current_budget_micros: 5000000 });
    expect(JSON.parse(approval.payload_json as string)).toEqual({
      budgetMicros: 9000000,
      previousBudgetMicros: 5000000,
    });
    expect(sqlite.prepare('SELECT mutation_id, name FROM outbox').get()).toEqual({
      mutation_id: 1,
      name: 'campaign.rename',
    });
    expect(sqlite.prepare('SELECT client_install_id, cursor, roles_json FROM sync_state').get()).toEqual({
      client_install_id: 'install',
      cursor: 'cur',
      roles_json: '[]',
    });
    expect(sqlite.prepare('SELECT kind, error_code FROM sync_rejections').get()).toEqual({
      kind: 'rejected',
      error_code: 'FORBIDDEN',
    });
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);
    // Synced approvals name server users the device has no row for: the users FK is gone.
    sqlite.exec(`INSERT INTO approvals (id, client_id, campaign_id, kind, status, requested_by, created_at)
      VALUES ('ap2', 'cl', 'ca', 'budget_change', 'pending', 'someone-on-the-server', 't')`);
  });

  it('is all-or-nothing: a failure half-way leaves the 0004 schema to retry from', async () => {
    handle = await openDatabase({ filename: ':memory:', migrate: false });
    await createMigrator(handle.db).migrateTo('0004-cache-counters');
    // A table in the way makes a middle step fail after the first ALTERs ran.
    handle.sqlite.exec('CREATE TABLE sync_metric_cursors (x)');
    await expect(migrateToLatest(handle.db)).rejects.toThrow(/0005-sync/);
    expect(columns(handle, 'campaigns')).not.toContain('status_version');
    handle.sqlite.exec('DROP TABLE sync_metric_cursors');
    await migrateToLatest(handle.db);
    expect(columns(handle, 'campaigns')).toContain('status_version');
  });
});
