import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import {
  createClient,
  createOrg,
  createUser,
  type TestClient,
  type TestOrg,
  type TestUser,
} from '../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { auditRows, insertSession, runKiki } from './cli-harness';

let database: TestDatabase;
let org: TestOrg;
let otherOrg: TestOrg;
let owner: TestUser;
let analyst: TestUser;
let client: TestClient;
const totpKey = Buffer.alloc(32, 9);

beforeAll(async () => {
  database = await createTestDatabase();
  org = await createOrg(database.db, { name: 'Roles Agency' });
  otherOrg = await createOrg(database.db, { name: 'Other Agency' });
  owner = await createUser(database.db, { orgId: org.id, role: 'owner', email: 'owner@roles.test' });
  analyst = await createUser(database.db, { orgId: org.id, role: 'analyst', email: 'ana@roles.test' });
  client = await createClient(database.db, { orgId: org.id });
});
afterAll(async () => {
  await database.destroy();
});

const kiki = (argv: string[]) => runKiki(database.url, argv);

async function rolesOf(userId: string) {
  return database.db
    .selectFrom('memberships')
    .select(['role', 'client_ids'])
    .where('user_id', '=', userId)
    .orderBy('role')
    .execute();
}

describe('roles', () => {
  it('grants a client-scoped role, then widens it org-wide, auditing each grant', async () => {
    const scoped = await kiki([
      'roles',
      'grant',
      '--org',
      org.id,
      '--email',
      'ana@roles.test',
      '--role',
      'manager',
      '--clients',
      client.id,
    ]);
    expect(scoped.code).toBe(0);
    expect(await rolesOf(analyst.id)).toEqual([
      { role: 'analyst', client_ids: null },
      { role: 'manager', client_ids: [client.id] },
    ]);
    const widened = await kiki([
      'roles',
      'grant',
      '--org',
      'Roles Agency',
      '--email',
      'ana@roles.test',
      '--role',
      'manager',
    ]);
    expect(widened.code).toBe(0);
    expect(await rolesOf(analyst.id)).toEqual([
      { role: 'analyst', client_ids: null },
      { role: 'manager', client_ids: null },
    ]);
    const audit = (await auditRows(database.db, org.id)).slice(-2);
    expect(audit.map((r) => [r.action, r.data])).toEqual([
      ['membership.granted', { source: 'cli', userId: analyst.id, role: 'manager', clientIds: [client.id] }],
      ['membership.granted', { source: 'cli', userId: analyst.id, role: 'manager', clientIds: null }],
    ]);
  });

  it("refuses another agency's client and a user of another agency", async () => {
    const foreignClient = await createClient(database.db, { orgId: otherOrg.id });
    const run = await kiki([
      'roles',
      'grant',
      '--org',
      'Roles Agency',
      '--email',
      'ana@roles.test',
      '--role',
      'operator',
      '--clients',
      foreignClient.id,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`has no client ${foreignClient.id}`);
    const wrongOrg = await kiki([
      'roles',
      'grant',
      '--org',
      'Other Agency',
      '--email',
      'ana@roles.test',
      '--role',
      'admin',
    ]);
    expect(wrongOrg.code).toBe(1);
    expect(wrongOrg.stderr).toContain('is not a user of Other Agency');
    expect((await rolesOf(analyst.id)).map((r) => r.role)).toEqual(['analyst', 'manager']);
  });

  it('revokes a role and audits it', async () => {
    const run = await kiki([
      'roles',
      'revoke',
      '--org',
      'Roles Agency',
      '--email',
      'ana@roles.test',
      '--role',
      'manager',
    ]);
    expect(run.code).toBe(0);
    expect((await rolesOf(analyst.id)).map((r) => r.role)).toEqual(['analyst']);
    const last = (await auditRows(database.db, org.id)).at(-1);
    expect(last).toMatchObject({ action: 'membership.revoked', actor_user_id: null });
    expect(last?.data).toMatchObject({ source: 'cli', role: 'manager', userId: analyst.id });
  });

  it('never removes the last owner, and says what to do instead', async () => {
    const before = (await auditRows(database.db, org.id)).length;
    const run = await kiki([
      'roles',
      'revoke',
      '--org',
      'Roles Agency',
      '--email',
      'owner@roles.test',
      '--role',
      'owner',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('last active owner');
    expect(await rolesOf(owner.id)).toEqual([{ role: 'owner', client_ids: null }]);
    expect(await auditRows(database.db, org.id)).toHaveLength(before);
  });

  it('says when the user does not hold the role', async () => {
    const run = await kiki([
      'roles',
      'revoke',
      '--org',
      'Roles Agency',
      '--email',
      'ana@roles.test',
      '--role',
      'admin',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('does not have the admin role');
  });

  it.each([
    [['roles', 'grant', '--org', 'Roles Agency', '--email', 'ana@roles.test', '--role', 'client_viewer'], '--clients'],
    [['roles', 'grant', '--org', 'Roles Agency', '--email', 'ana@roles.test', '--role', 'king'], 'Unknown role'],
    [['roles', 'revoke', '--org', 'Roles Agency', '--email', 'ana@roles.test'], "required option '--role <role>'"],
  ])('usage error %j exits 2', async (argv, message) => {
    const run = await kiki(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('mfa reset', () => {
  it('removes the authenticator and recovery codes, ends sessions and audits as the CLI', async () => {
    const user = await createUser(database.db, {
      orgId: org.id,
      role: 'operator',
      email: 'mfa@roles.test',
      mfa: true,
      totpKey,
    });
    await database.db
      .insertInto('recovery_codes')
      .values([
        { id: newId(), org_id: org.id, user_id: user.id, code_hash: 'a' },
        { id: newId(), org_id: org.id, user_id: user.id, code_hash: 'b' },
      ])
      .execute();
    const sessionId = await insertSession(database.db, user);

    const run = await kiki(['mfa', 'reset', '--org', 'Roles Agency', '--email', 'mfa@roles.test']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ended 1 session(s)');
    const after = await database.db
      .selectFrom('users')
      .select(['mfa_enabled', 'totp_secret_enc', 'totp_last_used_step'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ mfa_enabled: false, totp_secret_enc: null, totp_last_used_step: null });
    expect(
      await database.db.selectFrom('recovery_codes').select('id').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
    const session = await database.db
      .selectFrom('sessions')
      .select('revoked_at')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(session.revoked_at).not.toBeNull();
    const actions = (await auditRows(database.db, org.id)).slice(-3);
    expect(actions.map((r) => r.action)).toEqual(['auth.mfa.reset', 'auth.sessions.revoked_all', 'admin.mfa_reset']);
    expect(actions[2]?.data).toMatchObject({ source: 'cli', email: 'mfa@roles.test', sessionsRevoked: 1 });
  });

  it('fails with a clear message for an unknown user and changes nothing', async () => {
    const before = (await auditRows(database.db, org.id)).length;
    const run = await kiki(['mfa', 'reset', '--org', 'Roles Agency', '--email', 'ghost@roles.test']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ghost@roles.test is not a user of Roles Agency');
    expect(await auditRows(database.db, org.id)).toHaveLength(before);
  });
});

describe('sessions', () => {
  it('lists live sessions only, filtered by user', async () => {
    const user = await createUser(database.db, { orgId: org.id, role: 'analyst', email: 'sess@roles.test' });
    const live = await insertSession(database.db, user);
    await insertSession(database.db, user, { revokedAt: new Date() });
    await insertSession(database.db, user, { expiresAt: new Date(Date.now() - 1000) });
    const ownerSession = await insertSession(database.db, owner);
    const other = await createUser(database.db, { orgId: otherOrg.id, role: 'analyst' });
    await insertSession(database.db, other);

    const mine = await kiki(['--json', 'sessions', 'list', '--org', 'Roles Agency', '--email', 'sess@roles.test']);
    expect(mine.code).toBe(0);
    expect((JSON.parse(mine.stdout) as { id: string }[]).map((s) => s.id)).toEqual([live]);
    const all = await kiki(['--json', 'sessions', 'list', '--org', 'Roles Agency']);
    const ids = (JSON.parse(all.stdout) as { id: string; email: string }[]).map((s) => s.id);
    expect(ids.sort()).toEqual([live, ownerSession].sort());
  });

  it('revokes one session by id, with its refresh tokens, and audits it', async () => {
    const user = await createUser(database.db, { orgId: org.id, role: 'analyst' });
    const keep = await insertSession(database.db, user);
    const end = await insertSession(database.db, user);
    const run = await kiki(['sessions', 'revoke', end]);
    expect(run.code).toBe(0);
    const rows = await database.db
      .selectFrom('sessions')
      .select(['id', 'revoked_at'])
      .where('user_id', '=', user.id)
      .execute();
    expect(rows.find((r) => r.id === end)?.revoked_at).not.toBeNull();
    expect(rows.find((r) => r.id === keep)?.revoked_at).toBeNull();
    const tokens = await database.db
      .selectFrom('refresh_tokens')
      .select('revoked_at')
      .where('family_id', '=', end)
      .execute();
    expect(tokens.every((t) => t.revoked_at !== null)).toBe(true);
    const audit = (await auditRows(database.db, org.id)).slice(-2);
    expect(audit.map((r) => [r.action, r.entity_id])).toEqual([
      ['auth.session.revoked', end],
      ['admin.session_revoked', end],
    ]);
    expect(audit[1]?.data).toMatchObject({ source: 'cli', userId: user.id });

    const again = await kiki(['sessions', 'revoke', end]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already ended');
  });

  it("does not revoke another agency's session when --org is given", async () => {
    const other = await createUser(database.db, { orgId: otherOrg.id, role: 'analyst' });
    const foreign = await insertSession(database.db, other);
    const run = await kiki(['sessions', 'revoke', foreign, '--org', 'Roles Agency']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`No session ${foreign}`);
    const row = await database.db
      .selectFrom('sessions')
      .select('revoked_at')
      .where('id', '=', foreign)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
  });

  it('revokes every session of a user with --all --email', async () => {
    const user = await createUser(database.db, { orgId: org.id, role: 'analyst', email: 'all@roles.test' });
    await insertSession(database.db, user);
    await insertSession(database.db, user);
    const run = await kiki([
      '--json',
      'sessions',
      'revoke',
      '--all',
      '--org',
      'Roles Agency',
      '--email',
      'all@roles.test',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ sessionsRevoked: 2, userId: user.id });
    const live = await database.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toEqual([]);
    expect((await auditRows(database.db, org.id)).at(-1)?.action).toBe('admin.sessions_revoked');
  });

  it.each([
    [['sessions', 'revoke'], 'Give the session id'],
    [['sessions', 'revoke', 'not-a-uuid'], 'is not a session id'],
    [['sessions', 'revoke', '--all', '--org', 'Roles Agency'], '--all needs --org and --email'],
    [['sessions', 'list'], "required option '--org <agency>'"],
  ])('usage error %j exits 2', async (argv, message) => {
    const run = await kiki(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
