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
