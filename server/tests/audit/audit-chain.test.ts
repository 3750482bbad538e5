import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, GENESIS_HASH, verifyAuditChain, type AuditEntry } from '../../src/audit/audit.service';
import type { Database } from '../../src/db/database';
import { createOrg } from '../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

let database: TestDatabase;
let db: Kysely<Database>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database.destroy();
});

function entry(orgId: string, n: number): AuditEntry {
  return {
    orgId,
    actorUserId: null,
    action: 'client.updated',
    entityType: 'client',
    entityId: `client-${n}`,
    data: { n, nested: { z: 1, a: [1, 'two', { y: null }] } },
    ip: '127.0.0.1',
    requestId: `req-${n}`,
  };
}

async function appendMany(orgId: string, count: number): Promise<void> {
  for (let n = 1; n <= count; n++) await db.transaction().execute((trx) => appendAudit(trx, entry(orgId, n)));
}

/** Tampering as an attacker with superuser rights would: replica mode skips the append-only trigger. */
async function asSuperuserBypassingTrigger(statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await statement.execute(trx);
  });
}

describe('audit hash chain', () => {
  it('numbers each agency’s rows from 1 and links every row to the one before', async () => {
    const a = await createOrg(db);
    const b = await createOrg(db);
    await appendMany(a.id, 3);
    await appendMany(b.id, 2);
    const rows = await db.selectFrom('audit_log').selectAll().where('org_id', '=', a.id).orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    expect(rows[2]?.prev_hash).toBe(rows[1]?.hash);
    expect(await verifyAuditChain(db, a.id)).toEqual({ ok: true, checkedRows: 3, breaks: [] });
    expect(await verifyAuditChain(db, b.id)).toMatchObject({ ok: true, checkedRows: 2 });
  });

  it('stays a single unbroken chain under concurrent appends', async () => {
    const org = await createOrg(db);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => db.transaction().execute((trx) => appendAudit(trx, entry(org.id, i)))),
    );
    const seqs = await db.selectFrom('audit_log').select('seq').where('org_id', '=', org.id).orderBy('seq').execute();
    expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, checkedRows: 20 });
  });

  it('rolls back with the change it describes', async () => {
    const org = await createOrg(db);
    await expect(
      db.transaction().execute(async (trx) => {
        await appendAudit(trx, entry(org.id, 1));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const count = await db
      .selectFrom('audit_log')
      .select(db.fn.countAll<number>().as('n'))
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('pinpoints the first row whose content was changed', async () => {
    const org = await createOrg(db);
    await appendMany(org.id, 5);
    await asSuperuserBypassingTrigger(
      sql`update audit_log set data = '{"n": 999}'::jsonb where org_id = ${org.id} and seq = 3`,
    );
    const result = await verifyAuditChain(db, org.id);
    const tampered = await db
      .selectFrom('audit_log')
      .select('id')
      .where('org_id', '=', org.id)
      .where('seq', '=', 3)
      .executeTakeFirstOrThrow();
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([{ orgId: org.id, seq: 3, id: tampered.id, reason: 'content_changed' }]);
  });

  it('detects a deleted row and a re-linked forgery', async () => {
    const org = await createOrg(db);
    await appendMany(org.id, 4);
    await asSuperuserBypassingTrigger(sql`delete from audit_log where org_id = ${org.id} and seq = 2`);
    expect((await verifyAuditChain(db, org.id)).breaks[0]).toMatchObject({ seq: 3, reason: 'row_missing' });

    const other = await createOrg(db);
    await appendMany(other.id, 3);
    await asSuperuserBypassingTrigger(
      sql`update audit_log set prev_hash = ${'f'.repeat(64)} where org_id = ${other.id} and seq = 2`,
    );
    expect((await verifyAuditChain(db, other.id)).breaks[0]).toMatchObject({ seq: 2, reason: 'link_broken' });
  });

  it('verifies every agency at once and reports each broken one', async () => {
    const result = await verifyAuditChain(db);
    expect(result.ok).toBe(false);
    expect(result.breaks.length).toBeGreaterThanOrEqual(3);
  });
});

describe('append-only audit_log', () => {
  it('refuses UPDATE, DELETE and TRUNCATE through the trigger, even for the table owner', async () => {
    const org = await createOrg(db);
    await appendMany(org.id, 1);
    await expect(sql`update audit_log set action = 'x' where org_id = ${org.id}`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit_log where org_id = ${org.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('gives the kiki_app database role INSERT and SELECT but no UPDATE or DELETE', async () => {
    const privileges = await sql<{ insert: boolean; select: boolean; update: boolean; delete: boolean }>`
      select has_table_privilege('kiki_app', 'audit_log', 'INSERT') as insert,
             has_table_privilege('kiki_app', 'audit_log', 'SELECT') as select,
             has_table_privilege('kiki_app', 'audit_log', 'UPDATE') as update,
             has_table_privilege('kiki_app', 'audit_log', 'DELETE') as delete`.execute(db);
    expect(privileges.rows[0]).toEqual({ insert: true, select: true, update: false, delete: false });

    await expect(
      db.transaction().execute(async (trx) => {
        await sql`set local role kiki_app`.execute(trx);
        await sql`update audit_log set action = 'x'`.execute(trx);
      }),
    ).rejects.toThrow(/permission denied/);
  });

  it('lets kiki_app work with every other table', async () => {
    const rows = await sql<{ tablename: string }>`
      select tablename from pg_tables
      where schemaname = 'public' and tablename not in ('audit_log', 'kysely_migration', 'kysely_migration_lock')
        -- one privilege per call: with a list, has_table_privilege is true if ANY of them is held
        and not (has_table_privilege('kiki_app', format('%I.%I', schemaname, tablename), 'INSERT')
             and has_table_privilege('kiki_app', format('%I.%I', schemaname, tablename), 'SELECT')
             and has_table_privilege('kiki_app', format('%I.%I', schemaname, tablename), 'UPDATE')
             and has_table_privilege('kiki_app', format('%I.%I', schemaname, tablename), 'DELETE'))`.execute(db);
    expect(rows.rows).toEqual([]);
  });
});
