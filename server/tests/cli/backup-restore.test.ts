import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { backupDatabase, restoreDatabase } from '../../src/cli/backup.command';
import { serverMajorVersion } from '../../src/cli/pg-tools';
import type { Database } from '../../src/db/database';
import { createClient, createUser } from '../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { createAdChain, insertSession, OWNER_PASSWORD, runKiki } from './cli-harness';

let source: TestDatabase;
let dir: string;
const cleanup: TestDatabase[] = [];

async function seedAgency(db: Kysely<Database>, orgId: string): Promise<void> {
  const client = await createClient(db, { orgId });
  const user = await createUser(db, { orgId, role: 'operator', clientIds: [client.id] });
  await insertSession(db, user);
  const { campaignId, adId } = await createAdChain(db, orgId, client.id, {
    name: 'Spring sale — ünïcode',
    budgetMicros: 12_500_000,
    startDate: '2026-03-01',
    platforms: ['meta', 'tiktok'],
  });
  await db
    .insertInto('performance_metrics')
    .values(
      ['2026-03-01', '2026-03-02'].map((date, i) => ({
        org_id: orgId,
        platform: 'meta' as const,
        ad_id: adId,
        date,
        client_id: client.id,
        campaign_id: campaignId,
        impressions: 1000 * (i + 1),
        clicks: 10 * (i + 1),
        spend_micros: 4_250_000 * (i + 1),
        conversions: i,
        revenue_micros: 9_990_000 * i,
      })),
    )
    .execute();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiki-cli-backup-'));
  source = await createTestDatabase();
  for (const name of ['Backup Agency', 'Second Agency']) {
    const run = await runKiki(
      source.url,
      [
        '--json',
        'agency',
        'create',
        '--name',
        name,
        '--owner-email',
        `owner@${name.split(' ')[0]?.toLowerCase() ?? 'x'}.test`,
      ],
      { env: { KIKI_OWNER_PASSWORD: OWNER_PASSWORD } },
    );
    expect(run.code).toBe(0);
    await seedAgency(source.db, (JSON.parse(run.stdout) as { orgId: string }).orgId);
  }
});
afterAll(async () => {
  for (const db of cleanup) await db.destroy();
  await source.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function freshDatabase(options: { migrated: boolean }): Promise<TestDatabase> {
  const db = await createTestDatabase(options);
  cleanup.push(db);
  return db;
}

async function tableNames(db: Kysely<Database>): Promise<string[]> {
  const result = await sql<{ name: string }>`
    select tablename as name from pg_catalog.pg_tables where schemaname = 'public' order by tablename`.execute(db);
  return result.rows.map((r) => r.name);
}

/** Every row of a table as JSON text, ordered by id (then by the whole row for tables keyed otherwise). */
async function tableRows(db: Kysely<Database>, table: string): Promise<string[]> {
  const result = await sql<{ row: string }>`
    select to_jsonb(t)::text as row from ${sql.table(table)} t
    order by to_jsonb(t)->>'id', to_jsonb(t)::text`.execute(db);
  return result.rows.map((r) => r.row);
}

describe('backup and restore', () => {
  it('restores into a fresh database with identical rows in every table', async () => {
    const file = join(dir, 'kiki.dump');
    const backup = await runKiki(source.url, ['--json', 'backup', '--out', file]);
    expect(backup.code).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({ file });
    // The archive holds password hashes and sealed TOTP secrets.
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const target = await freshDatabase({ migrated: false });
    const restore = await runKiki(source.url, ['restore', '--in', file, '--into', target.url]);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);

    const tables = await tableNames(source.db);
    expect(tables).toContain('performance_metrics');
    expect(tables).toContain('kysely_migration');
    expect(await tableNames(target.db)).toEqual(tables);
    for (const table of tables.filter((t) => t !== 'audit_log')) {
      const [before, after] = [await tableRows(source.db, table), await tableRows(target.db, table)];
      expect(after, table).toEqual(before);
    }
    // The audit log is the backup's, plus one row per agency recording the restore.
    const sourceAudit = await tableRows(source.db, 'audit_log');
    const restoredAudit = await tableRows(target.db, 'audit_log');
    const restoreRows = restoredAudit.filter((r) => r.includes('"admin.restored"'));
    expect(restoreRows).toHaveLength(2);
    expect(restoredAudit.filter((r) => !restoreRows.includes(r))).toEqual(sourceAudit);
    expect(sourceAudit.filter((r) => r.includes('"admin.backup"'))).toHaveLength(2);

    const verify = await runKiki(target.url, ['audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout.split('\n')[0]).toBe(`audit chain intact (${restoredAudit.length} rows)`);
  });

  it('refuses a non-empty target without --force and leaves it untouched', async () => {
    const file = join(dir, 'refuse.dump');
    expect((await runKiki(source.url, ['backup', '--out', file])).code).toBe(0);
    const target = await freshDatabase({ migrated: true });
    await target.db.insertInto('organizations').values({ id: newId(), name: 'Stale Agency' }).execute();

    const refused = await runKiki(source.url, ['restore', '--in', file, '--into', target.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already has');
    expect(refused.stderr).toContain('--force');
    expect((await target.db.selectFrom('organizations').select('name').execute()).map((o) => o.name)).toEqual([
      'Stale Agency',
    ]);

    const forced = await runKiki(source.url, ['restore', '--in', file, '--into', target.url, '--force']);
    expect(forced.code).toBe(0);
    expect(await tableRows(target.db, 'organizations')).toEqual(await tableRows(source.db, 'organizations'));
    expect(await tableRows(target.db, 'performance_metrics')).toEqual(
      await tableRows(source.db, 'performance_metrics'),
    );
  });

  it('resolves a relative --out against the directory npm was run from (INIT_CWD)', async () => {
    const run = await runKiki(source.url, ['backup', '--out', 'relative.dump'], { env: { INIT_CWD: dir } });
    expect(run.code).toBe(0);
    expect((await stat(join(dir, 'relative.dump'))).size).toBeGreaterThan(0);
  });

  it('refuses to overwrite an existing backup file without --force', async () => {
    const file = join(dir, 'exists.dump');
    await writeFile(file, 'precious');
    const run = await runKiki(source.url, ['backup', '--out', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already exists');
    expect((await stat(file)).size).toBe('precious'.length);
  });

  it('refuses a file that is not a pg_dump archive', async () => {
    const file = join(dir, 'not-a-dump.txt');
    await writeFile(file, 'hello');
    const target = await freshDatabase({ migrated: false });
    const run = await runKiki(source.url, ['restore', '--in', file, '--into', target.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not a pg_dump custom-format archive');
  });

  it.each([
    [['backup'], "required option '--out <file>'"],
    [['restore', '--in', 'x.dump', '--into', 'mysql://nope'], '--into must be a postgres:// connection URL'],
  ])('usage error %j exits 2', async (argv, message) => {
    const run = await runKiki(source.url, argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('PostgreSQL client versions', () => {
  it('refuses an older pg_dump than the server with a message that says what to install', async () => {
    const major = await serverMajorVersion(source.db);
    const out = join(dir, 'old-client.dump');
    await expect(
      backupDatabase({
        db: source.db,
        url: source.url,
        out,
        force: false,
        env: process.env,
        readVersion: () => Promise.resolve(`pg_dump (PostgreSQL) ${major - 1}.9\n`),
      }),
    ).rejects.toThrow(
      `pg_dump ${major - 1} cannot back up a PostgreSQL ${major} server: install postgresql-client-${major} or set KIKI_PG_BIN`,
    );
    await expect(stat(out)).rejects.toThrow();
  });

  it('refuses a newer pg_restore than the target server', async () => {
    const major = await serverMajorVersion(source.db);
    const file = join(dir, 'newer-client.dump');
    expect((await runKiki(source.url, ['backup', '--out', file])).code).toBe(0);
    const target = await freshDatabase({ migrated: false });
    await expect(
      restoreDatabase({
        file,
        targetUrl: target.url,
        force: false,
        env: process.env,
        readVersion: () => Promise.resolve(`pg_restore (PostgreSQL) ${major + 1}.0`),
      }),
    ).rejects.toThrow(`pg_restore ${major + 1} does not match the PostgreSQL ${major} server`);
    expect(await tableNames(target.db)).toEqual([]);
  });

  it('says how to fix a missing pg_dump', async () => {
    const onPath = await runKiki(source.url, ['backup', '--out', join(dir, 'a.dump')], { env: { PATH: dir } });
    expect(onPath.code).toBe(1);
    expect(onPath.stderr).toContain('pg_dump was not found on PATH');
    expect(onPath.stderr).toContain('KIKI_PG_BIN');
    const pinned = await runKiki(source.url, ['backup', '--out', join(dir, 'b.dump')], { env: { KIKI_PG_BIN: dir } });
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toContain(`pg_dump was not found in KIKI_PG_BIN (${dir})`);
  });
});
