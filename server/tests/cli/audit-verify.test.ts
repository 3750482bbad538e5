import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { auditRows, OWNER_PASSWORD, runKiki } from './cli-harness';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  for (const name of ['Alpha Agency', 'Beta Agency']) {
    const run = await runKiki(
      database.url,
      ['agency', 'create', '--name', name, '--owner-email', `owner@${name.split(' ')[0]?.toLowerCase() ?? 'x'}.test`],
      { env: { KIKI_OWNER_PASSWORD: OWNER_PASSWORD } },
    );
    expect(run.code).toBe(0);
  }
});
afterAll(async () => {
  await database.destroy();
});

const kiki = (argv: string[]) => runKiki(database.url, argv);

/** Edits an audit row the way an attacker with superuser access could: with the append-only trigger off. */
async function tamper(id: string, data: Record<string, unknown>): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await sql`update audit_log set data = ${JSON.stringify(data)}::jsonb where id = ${id}`.execute(trx);
  });
}

describe('audit verify', () => {
  it('exits 0 and counts the rows when every chain is intact', async () => {
    const run = await kiki(['audit', 'verify']);
    expect(run.code).toBe(0);
    const [first, , ...heads] = run.stdout.split('\n');
    expect(first).toBe('audit chain intact (6 rows)');
    const betaId = (
      await database.db
        .selectFrom('organizations')
        .select('id')
        .where('name', '=', 'Beta Agency')
        .executeTakeFirstOrThrow()
    ).id;
    const betaHead = (await auditRows(database.db, betaId)).at(-1);
    expect(heads).toEqual([
      expect.stringMatching(/^ {2}Alpha Agency: newest row #3 [0-9a-f]{64}$/),
      `  Beta Agency: newest row #3 ${betaHead?.hash ?? ''}`,
    ]);
    const one = await kiki(['--json', 'audit', 'verify', '--org', 'Beta Agency']);
    expect(JSON.parse(one.stdout)).toEqual({
      ok: true,
      checkedRows: 3,
      breaks: [],
      heads: [{ orgId: betaId, orgName: 'Beta Agency', seq: 3, hash: betaHead?.hash }],
    });
  });

  it('exits 1 naming the first tampered row: id, time and action', async () => {
    const alpha = await database.db
      .selectFrom('organizations')
      .select('id')
      .where('name', '=', 'Alpha Agency')
      .executeTakeFirstOrThrow();
    const rows = await auditRows(database.db, alpha.id);
    const target = rows[1];
    if (target === undefined) throw new Error('expected a second audit row');
    await tamper(target.id, { ...target.data, email: 'attacker@evil.test' });

    const run = await kiki(['audit', 'verify']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('AUDIT CHAIN BROKEN in 1 agency chain(s)');
    expect(run.stdout).toContain(`Alpha Agency: first tampered row is #2 (id ${target.id}`);
    expect(run.stdout).toContain(target.occurred_at.toISOString());
    expect(run.stdout).toContain('action user.created');
    expect(run.stdout).toContain('content was changed');

    const json = await kiki(['--json', 'audit', 'verify']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      breaks: [{ orgName: 'Alpha Agency', seq: 2, id: target.id, action: 'user.created', reason: 'content_changed' }],
    });

    const beta = await kiki(['audit', 'verify', '--org', 'Beta Agency']);
    expect(beta.code).toBe(0);
  });

  it('refuses an unknown agency with exit 1', async () => {
    const run = await kiki(['audit', 'verify', '--org', 'Gamma Agency']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No agency is called "Gamma Agency"');
  });
});
