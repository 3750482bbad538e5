import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/auth/password';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { auditRows, insertSession, OWNER_PASSWORD, runKiki } from './cli-harness';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const kiki = (argv: string[], options?: Parameters<typeof runKiki>[2]) => runKiki(database.url, argv, options);

async function orgByName(name: string) {
  return database.db.selectFrom('organizations').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
}

describe('agency create', () => {
  it('creates the agency and its owner with an argon2 password, audited as the CLI', async () => {
    const run = await kiki(
      ['--json', 'agency', 'create', '--name', 'Acme Agency', '--owner-email', 'Owner@Acme.test', '--mfa-required'],
      { env: { KIKI_OWNER_PASSWORD: OWNER_PASSWORD } },
    );
    expect(run.code).toBe(0);
    const created = JSON.parse(run.stdout) as { orgId: string; ownerUserId: string };
    const org = await orgByName('Acme Agency');
    expect(org.id).toBe(created.orgId);
    expect(org.mfa_required).toBe(true);
    const owner = await database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', created.ownerUserId)
      .executeTakeFirstOrThrow();
    expect(owner.email).toBe('owner@acme.test');
    expect(owner.display_name).toBe('owner');
    expect(await verifyPassword(owner.password_hash, OWNER_PASSWORD)).toBe(true);
    const memberships = await database.db.selectFrom('memberships').selectAll().where('org_id', '=', org.id).execute();
    expect(memberships).toMatchObject([{ user_id: owner.id, role: 'owner', client_ids: null }]);

    const audit = await auditRows(database.db, org.id);
    expect(audit.map((r) => r.action)).toEqual(['org.created', 'user.created', 'membership.granted']);
    for (const row of audit) {
      expect(row.actor_user_id).toBeNull();
      expect(row.data).toMatchObject({ source: 'cli' });
    }
    expect(JSON.stringify(audit)).not.toContain(OWNER_PASSWORD);
  });

  it('asks for the password twice on a terminal', async () => {
    const run = await kiki(['agency', 'create', '--name', 'Typed Agency', '--owner-email', 'typed@acme.test'], {
      typed: [OWNER_PASSWORD, OWNER_PASSWORD],
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Created agency "Typed Agency"');
  });

  it('refuses a second agency with the same name (case-insensitive) and changes nothing', async () => {
    const before = await database.db.selectFrom('users').select('id').execute();
    const run = await kiki(['agency', 'create', '--name', 'ACME agency', '--owner-email', 'x@acme.test'], {
      env: { KIKI_OWNER_PASSWORD: OWNER_PASSWORD },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already exists');
    expect(await database.db.selectFrom('users').select('id').execute()).toHaveLength(before.length);
  });

  it('enforces the password policy before touching the database', async () => {
    const run = await kiki(['agency', 'create', '--name', 'Weak Agency', '--owner-email', 'w@weak.test'], {
      env: { KIKI_OWNER_PASSWORD: 'short' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('at least 12 characters');
    const weak = await database.db.selectFrom('organizations').select('id').where('name', '=', 'Weak Agency').execute();
    expect(weak).toHaveLength(0);
  });

  it.each([
    [['agency', 'create', '--owner-email', 'a@b.test'], "required option '--name <name>'"],
    [['agency', 'create', '--name', 'X', '--owner-email', 'not-an-email'], 'is not an email address'],
    [['agency', 'create', '--name', 'X', '--owner-email', 'a@b.test'], 'set KIKI_OWNER_PASSWORD'],
    [['agency', 'frobnicate'], "unknown command 'frobnicate'"],
  ])('usage error %j exits 2 with a message', async (argv, message) => {
    const run = await kiki(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('exits 2 when the two typed passwords differ', async () => {
    const run = await kiki(['agency', 'create', '--name', 'Typo Agency', '--owner-email', 't@t.test'], {
      typed: [OWNER_PASSWORD, `${OWNER_PASSWORD}!`],
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('differ');
  });

  it('lists agencies with their user counts', async () => {
    const run = await kiki(['--json', 'agency', 'list']);
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as { name: string; users: number }[];
    expect(list.map((a) => a.name)).toEqual(['Acme Agency', 'Typed Agency']);
    expect(list[0]?.users).toBe(1);
  });
});

describe('users', () => {
  const USER_PASSWORD = 'user password long enough';

  it('adds a user with a role and audits both rows', async () => {
    const org = await orgByName('Acme Agency');
    const run = await kiki(
      ['users', 'add', '--org', 'acme agency', '--email', 'op@acme.test', '--role', 'operator', '--name', 'Opal'],
      { env: { KIKI_USER_PASSWORD: USER_PASSWORD } },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Added op@acme.test to Acme Agency as operator (org-wide).');
    const user = await database.db
      .selectFrom('users')
      .selectAll()
      .where('org_id', '=', org.id)
      .where('email', '=', 'op@acme.test')
      .executeTakeFirstOrThrow();
    expect(user.display_name).toBe('Opal');
    expect(await verifyPassword(user.password_hash, USER_PASSWORD)).toBe(true);
    const audit = (await auditRows(database.db, org.id)).slice(-2);
    expect(audit.map((r) => [r.action, r.entity_id])).toEqual([
      ['user.created', user.id],
      ['membership.granted', expect.any(String)],
    ]);
    expect(audit[1]?.data).toMatchObject({ source: 'cli', userId: user.id, role: 'operator', clientIds: null });
  });

  it('refuses a duplicate email, an unknown client and an unknown agency', async () => {
    const env = { KIKI_USER_PASSWORD: USER_PASSWORD };
    const dup = await kiki(['users', 'add', '--org', 'Acme Agency', '--email', 'op@acme.test', '--role', 'analyst'], {
      env,
    });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already a user');
    const client = await kiki(
      [
        'users',
        'add',
        '--org',
        'Acme Agency',
        '--email',
        'cv@acme.test',
        '--role',
        'client_viewer',
        '--clients',
        '01a21895-83c9-717f-962e-bec32a7e68f4',
      ],
      { env },
    );
    expect(client.code).toBe(1);
    expect(client.stderr).toContain('has no client 01a21895-83c9-717f-962e-bec32a7e68f4');
    const noOrg = await kiki(['users', 'add', '--org', 'Nope', '--email', 'n@n.test', '--role', 'analyst'], { env });
    expect(noOrg.code).toBe(1);
    expect(noOrg.stderr).toContain('No agency is called "Nope"');
    const users = await database.db.selectFrom('users').select('email').where('email', 'like', 'cv@%').execute();
    expect(users).toHaveLength(0);
  });

  it.each([
    [['users', 'add', '--org', 'Acme Agency', '--email', 'a@acme.test', '--role', 'boss'], 'Unknown role "boss"'],
    [['users', 'add', '--org', 'Acme Agency', '--email', 'a@acme.test', '--role', 'client_viewer'], '--clients'],
    [
      ['users', 'add', '--org', 'Acme Agency', '--email', 'a@acme.test', '--role', 'analyst', '--clients', 'x,y'],
      'not a client id',
    ],
    [['users', 'disable', '--org', 'Acme Agency'], "required option '--email <email>'"],
  ])('usage error %j exits 2', async (argv, message) => {
    const run = await kiki(argv, { env: { KIKI_USER_PASSWORD: USER_PASSWORD } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('disabling ends every session at once; enabling clears the lockout', async () => {
    const org = await orgByName('Acme Agency');
    const user = await database.db
      .selectFrom('users')
      .select(['id', 'org_id'])
      .where('email', '=', 'op@acme.test')
      .executeTakeFirstOrThrow();
    const sessionId = await insertSession(database.db, { id: user.id, orgId: user.org_id });

    const disabled = await kiki(['users', 'disable', '--org', 'Acme Agency', '--email', 'op@acme.test']);
    expect(disabled.code).toBe(0);
    const afterDisable = await database.db
      .selectFrom('users')
      .select('status')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(afterDisable.status).toBe('disabled');
    const session = await database.db
      .selectFrom('sessions')
      .select(['revoked_at', 'revoked_reason'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(session.revoked_at).not.toBeNull();
    const tokens = await database.db
      .selectFrom('refresh_tokens')
      .select('revoked_at')
      .where('family_id', '=', sessionId)
      .execute();
    expect(tokens.every((t) => t.revoked_at !== null)).toBe(true);
    const disableAudit = (await auditRows(database.db, org.id)).at(-1);
    expect(disableAudit).toMatchObject({ action: 'user.disabled', entity_id: user.id, actor_user_id: null });
    expect(disableAudit?.data).toMatchObject({ source: 'cli' });

    const again = await kiki(['users', 'disable', '--org', 'Acme Agency', '--email', 'op@acme.test']);
    expect(again.stdout).toContain('already disabled');

    await database.db
      .updateTable('users')
      .set({ failed_login_count: 7, locked_until: new Date(Date.now() + 60_000) })
      .where('id', '=', user.id)
      .execute();
    const enabled = await kiki(['users', 'enable', '--org', 'Acme Agency', '--email', 'OP@acme.test']);
    expect(enabled.code).toBe(0);
    const afterEnable = await database.db
      .selectFrom('users')
      .select(['status', 'failed_login_count', 'locked_until'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(afterEnable).toEqual({ status: 'active', failed_login_count: 0, locked_until: null });
    expect((await auditRows(database.db, org.id)).at(-1)?.action).toBe('user.enabled');
  });

  it('lists users with their roles, never their secrets', async () => {
    const run = await kiki(['--json', 'users', 'list', '--org', 'Acme Agency']);
    expect(run.code).toBe(0);
    const users = JSON.parse(run.stdout) as { email: string; grants: { role: string }[] }[];
    expect(users.map((u) => [u.email, u.grants.map((g) => g.role)])).toEqual([
      ['op@acme.test', ['operator']],
      ['owner@acme.test', ['owner']],
    ]);
    expect(run.stdout).not.toContain('argon2');
  });

  it("refuses to disable the agency's last active owner until another owner exists", async () => {
    const created = await kiki(['agency', 'create', '--name', 'Solo Agency', '--owner-email', 'solo@solo.test'], {
      env: { KIKI_OWNER_PASSWORD: OWNER_PASSWORD },
    });
    expect(created.code).toBe(0);
    const org = await orgByName('Solo Agency');
    const auditBefore = (await auditRows(database.db, org.id)).length;

    const refused = await kiki(['users', 'disable', '--org', 'Solo Agency', '--email', 'solo@solo.test']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('last active owner');
    const solo = await database.db
      .selectFrom('users')
      .select('status')
      .where('email', '=', 'solo@solo.test')
      .executeTakeFirstOrThrow();
    expect(solo.status).toBe('active');
    expect(await auditRows(database.db, org.id)).toHaveLength(auditBefore);

    const second = await kiki(['users', 'add', '--org', 'Solo Agency', '--email', 'duo@solo.test', '--role', 'owner'], {
      env: { KIKI_USER_PASSWORD: USER_PASSWORD },
    });
    expect(second.code).toBe(0);
    const allowed = await kiki(['users', 'disable', '--org', 'Solo Agency', '--email', 'solo@solo.test']);
    expect(allowed.code).toBe(0);
  });
});
