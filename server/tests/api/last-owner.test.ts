import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorCodeOf, type TestApp } from '../helpers/test-app';
import type { TestUser } from '../helpers/factories';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.destroy();
});

async function twoOwners(name: string): Promise<{ orgId: string; a: TestUser; b: TestUser }> {
  const org = await t.createOrg({ name });
  const a = await t.createUser({ orgId: org.id, role: 'owner', email: `a@${name.toLowerCase()}.test` });
  const b = await t.createUser({ orgId: org.id, role: 'owner', email: `b@${name.toLowerCase()}.test` });
  return { orgId: org.id, a, b };
}

async function activeOwners(orgId: string): Promise<string[]> {
  const rows = await t.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.id')
    .where('memberships.org_id', '=', orgId)
    .where('memberships.role', '=', 'owner')
    .where('users.status', '=', 'active')
    .execute();
  return rows.map((r) => r.id);
}

async function backendsWaitingOnLocks(): Promise<number> {
  const row = await sql<{ n: string }>`
    select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()
  `.execute(t.db);
  return Number(row.rows[0]?.n ?? 0);
}

describe('disabling owners', () => {
  it('lets one of two owners who disable each other at once win, and keeps the other active', async () => {
    const { orgId, a, b } = await twoOwners('Race');
    const [headerA, headerB] = await Promise.all([t.authHeader(a), t.authHeader(b)]);

    // Hold the owner grants' locks so both requests are past authentication and inside their transactions
    // before either may go on: the race is then certain rather than left to scheduling.
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = (): void => undefined;
    const locked = new Promise<void>((resolve) => (held = resolve));
    const holder = t.db.transaction().execute(async (trx) => {
      await trx.selectFrom('memberships').select('id').where('org_id', '=', orgId).forUpdate().execute();
      held();
      await gate;
    });
    await locked;

    let settled = false;
    const both = Promise.all([
      t.app.inject({ method: 'POST', url: `/api/v1/users/${b.id}/disable`, headers: headerA }),
      t.app.inject({ method: 'POST', url: `/api/v1/users/${a.id}/disable`, headers: headerB }),
    ]).finally(() => (settled = true));
    const deadline = Date.now() + 10_000;
    while (!settled && (await backendsWaitingOnLocks()) < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    release();
    await holder;
    const responses = await both;

    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const loser = responses.find((r) => r.statusCode === 409);
    expect(loser && errorCodeOf(loser)).toBe('CONFLICT');
    expect(loser?.json<{ error: { message: string } }>().error.message).toMatch(/last active owner/);
    expect(await activeOwners(orgId)).toHaveLength(1);
  });

  it('still lets an owner disable another owner while a third stays active', async () => {
    const { orgId, a, b } = await twoOwners('Trio');
    const c = await t.createUser({ orgId, role: 'owner', email: 'c@trio.test' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${b.id}/disable`,
      headers: await t.authHeader(a),
    });
    expect(res.statusCode).toBe(200);
    expect((await activeOwners(orgId)).sort()).toEqual([a.id, c.id].sort());
  });
});

describe('revoking owner grants', () => {
  async function ownerGrantOf(orgId: string, userId: string): Promise<string> {
    const row = await t.db
      .selectFrom('memberships')
      .select('id')
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('refuses to revoke the only active owner even when a disabled owner still holds a grant', async () => {
    const { orgId, a, b } = await twoOwners('Dormant');
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', b.id).execute();
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/memberships/${await ownerGrantOf(orgId, a.id)}`,
      headers: await t.authHeader(a),
    });
    expect(res.statusCode).toBe(409);
    expect(errorCodeOf(res)).toBe('CONFLICT');
    expect(await activeOwners(orgId)).toEqual([a.id]);
  });

  it('lets two owners revoke each other at once without deadlock, keeping one owner', async () => {
    const { orgId, a, b } = await twoOwners('Mutual');
    const [grantA, grantB] = await Promise.all([ownerGrantOf(orgId, a.id), ownerGrantOf(orgId, b.id)]);
    const [headerA, headerB] = await Promise.all([t.authHeader(a), t.authHeader(b)]);
    const responses = await Promise.all([
      t.app.inject({ method: 'DELETE', url: `/api/v1/memberships/${grantB}`, headers: headerA }),
      t.app.inject({ method: 'DELETE', url: `/api/v1/memberships/${grantA}`, headers: headerB }),
    ]);
    const codes = responses.map((r) => r.statusCode).sort();
    // The first to get the lock wins; the second then finds no other active owner. The loser may also be
    // refused as no longer an owner (403) when its own grant went first: never a 500, never zero owners.
    expect(codes[0]).toBe(204);
    expect([403, 409]).toContain(codes[1]);
    expect(await activeOwners(orgId)).toHaveLength(1);
  });
});
