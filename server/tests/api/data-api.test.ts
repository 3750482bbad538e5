import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit.service';
import { createTestApp, errorCodeOf, type TestApp } from '../helpers/test-app';
import { seedAgency, seedCampaign, type AgencyWorld } from '../helpers/world';

let t: TestApp;
let w: AgencyWorld;
let owner: { authorization: string };
let admin: { authorization: string };

beforeAll(async () => {
  t = await createTestApp();
  w = await seedAgency(t, 'DataApi');
  owner = await t.authHeader(w.users.owner);
  admin = await t.authHeader(w.users.admin);
});
afterAll(async () => {
  await t.destroy();
});

async function auditActions(entityId: string): Promise<string[]> {
  const rows = await t.db
    .selectFrom('audit_log')
    .select('action')
    .where('org_id', '=', w.org.id)
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.action);
}

describe('agency settings', () => {
  it('let an admin require MFA for the agency, audited with who did it', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/org',
      headers: admin,
      payload: { mfaRequired: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: w.org.id, mfaRequired: true });
    const row = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', w.org.id)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ action: 'org.updated', actor_user_id: w.users.admin.id, ip: '127.0.0.1' });
    expect(row.request_id).toEqual(expect.any(String));
    await t.app.inject({ method: 'PATCH', url: '/api/v1/org', headers: admin, payload: { mfaRequired: false } });
  });

  it('refuse an empty or unknown change and write nothing', async () => {
    for (const payload of [{}, { plan: 'enterprise' }]) {
      const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/org', headers: admin, payload });
      expect(res.statusCode).toBe(400);
      expect(errorCodeOf(res)).toBe('VALIDATION_FAILED');
    }
  });
});

describe('clients', () => {
  it('are created, renamed and archived with an audit row for each change', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/clients',
      headers: owner,
      payload: { name: 'Nordic Shoes', currency: 'SEK', timezone: 'Europe/Stockholm' },
    });
    expect(created.statusCode).toBe(201);
    const client = created.json<{ id: string }>();
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/clients/${client.id}`,
      headers: owner,
      payload: { name: 'Nordic Shoes AB', archived: true },
    });
    expect(renamed.json()).toMatchObject({ name: 'Nordic Shoes AB', archived: true, currency: 'SEK' });
    expect(await auditActions(client.id)).toEqual(['client.created', 'client.updated']);

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/clients', headers: owner });
    expect(list.json<{ items: { id: string }[] }>().items.map((c) => c.id)).not.toContain(client.id);
    const all = await t.app.inject({ method: 'GET', url: '/api/v1/clients?includeArchived=true', headers: owner });
    expect(all.json<{ items: { id: string }[] }>().items.map((c) => c.id)).toContain(client.id);
  });

  it('reject an unknown timezone or currency with a message naming the field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/clients',
      headers: owner,
      payload: { name: 'X', currency: 'usd', timezone: 'Mars/Olympus' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/currency/);
  });

  it('page with limit and offset', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/api/v1/clients?limit=1', headers: owner });
    const page = first.json<{ items: unknown[]; nextOffset: number | null }>();
    expect(page.items).toHaveLength(1);
    expect(page.nextOffset).toBe(1);
    const tooMany = await t.app.inject({ method: 'GET', url: '/api/v1/clients?limit=100000', headers: owner });
    expect(tooMany.statusCode).toBe(400);
  });
});

describe('users', () => {
  it('are added with a first grant, never exposing password hashes', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: {
        email: 'New.Hire@Example.test',
        displayName: 'New Hire',
        password: 'a perfectly long passphrase',
        grant: { role: 'analyst', clientIds: [w.clientA.id] },
      },
    });
    expect(res.statusCode).toBe(201);
    const user = res.json<{ id: string; email: string; grants: unknown[] }>();
    expect(user.email).toBe('new.hire@example.test');
    expect(user.grants).toEqual([expect.objectContaining({ role: 'analyst', clientIds: [w.clientA.id] })]);
    expect(res.body).not.toMatch(/argon2|password/i);
    expect(await auditActions(user.id)).toEqual(['user.created']);
  });

  it('refuse a short password and a duplicate email, changing nothing', async () => {
    const short = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { email: 'short@example.test', displayName: 'Short', password: 'tooshort' },
    });
    expect(short.statusCode).toBe(400);
    const before = await t.db
      .selectFrom('audit_log')
      .select(t.db.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { email: w.target.email, displayName: 'Dup', password: 'a perfectly long passphrase' },
    });
    expect(dup.statusCode).toBe(409);
    const after = await t.db
      .selectFrom('audit_log')
      .select(t.db.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('lose access at once when disabled, and get a clean slate when enabled', async () => {
    const victim = await t.createUser({ orgId: w.org.id, role: 'operator' });
    const theirToken = await t.authHeader(victim);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/org', headers: theirToken })).statusCode).toBe(200);

    const disabled = await t.app.inject({ method: 'POST', url: `/api/v1/users/${victim.id}/disable`, headers: admin });
    expect(disabled.json()).toMatchObject({ status: 'disabled' });
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/org', headers: theirToken });
    expect([401, 403]).toContain(after.statusCode);
    const live = await t.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', victim.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toEqual([]);

    await t.db
      .updateTable('users')
      .set({ failed_login_count: 9, locked_until: new Date(Date.now() + 60_000) })
      .where('id', '=', victim.id)
      .execute();
    const enabled = await t.app.inject({ method: 'POST', url: `/api/v1/users/${victim.id}/enable`, headers: admin });
    expect(enabled.json()).toMatchObject({ status: 'active' });
    const row = await t.db
      .selectFrom('users')
      .select(['failed_login_count', 'locked_until'])
      .where('id', '=', victim.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_login_count: 0, locked_until: null });
    expect(await auditActions(victim.id)).toEqual(expect.arrayContaining(['user.disabled', 'user.enabled']));
  });

  it('cannot be disabled by themselves, nor an owner by an admin', async () => {
    const self = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${w.users.admin.id}/disable`,
      headers: admin,
    });
    expect(self.statusCode).toBe(409);
    const ownerByAdmin = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${w.users.owner.id}/disable`,
      headers: admin,
    });
    expect(ownerByAdmin.statusCode).toBe(403);
  });
});

describe('memberships', () => {
  it('grant a role per client, replace it on re-grant, and revoke it', async () => {
    const person = await t.createUser({ orgId: w.org.id, role: null });
    const grant = (clientIds: string[] | null) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/memberships',
        headers: admin,
        payload: { userId: person.id, role: 'operator', clientIds },
      });
    const first = await grant([w.clientA.id]);
    expect(first.statusCode).toBe(200);
    const second = await grant([w.clientA.id, w.clientB.id]);
    expect(second.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    expect(second.json()).toMatchObject({ clientIds: [w.clientA.id, w.clientB.id] });

    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/memberships?userId=${person.id}`,
      headers: admin,
    });
    expect(listed.json<{ items: unknown[] }>().items).toHaveLength(1);

    const id = first.json<{ id: string }>().id;
    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/memberships/${id}`, headers: admin });
    expect(revoked.statusCode).toBe(204);
    expect(await auditActions(id)).toEqual(['membership.granted', 'membership.granted', 'membership.revoked']);
  });

  it('refuse a client_viewer grant without clients and clients of another agency', async () => {
    const person = await t.createUser({ orgId: w.org.id, role: null });
    const noClients = await t.app.inject({
      method: 'POST',
      url: '/api/v1/memberships',
      headers: admin,
      payload: { userId: person.id, role: 'client_viewer', clientIds: null },
    });
    expect(noClients.statusCode).toBe(400);
    const other = await t.createOrg();
    const foreign = await t.createClient({ orgId: other.id });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/memberships',
      headers: admin,
      payload: { userId: person.id, role: 'client_viewer', clientIds: [foreign.id] },
    });
    expect(res.statusCode).toBe(404);
  });

  it('keep the owner role in owners’ hands and never remove the last owner', async () => {
    const person = await t.createUser({ orgId: w.org.id, role: null });
    const byAdmin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/memberships',
      headers: admin,
      payload: { userId: person.id, role: 'owner', clientIds: null },
    });
    expect(byAdmin.statusCode).toBe(403);
    const ownerGrant = await t.db
      .selectFrom('memberships')
      .select('id')
      .where('user_id', '=', w.users.owner.id)
      .executeTakeFirstOrThrow();
    const last = await t.app.inject({ method: 'DELETE', url: `/api/v1/memberships/${ownerGrant.id}`, headers: owner });
    expect(last.statusCode).toBe(409);
  });
});

describe('campaigns and metrics', () => {
  it('filter campaigns and sum daily metrics over ads for a range', async () => {
    const campaign = await seedCampaign(t.db, w.org.id, w.clientB.id, {
      name: 'Summer Sale',
      days: [
        { date: '2026-04-01', spendMicros: 1_000_000, revenueMicros: 5_000_000 },
        { date: '2026-04-02', spendMicros: 2_000_000, revenueMicros: 1_000_000 },
        { date: '2026-05-01', spendMicros: 9_000_000, revenueMicros: 9_000_000 },
      ],
    });
    const found = await t.app.inject({
      method: 'GET',
      url: '/api/v1/campaigns?search=summer&platform=meta',
      headers: owner,
    });
    expect(found.json<{ items: { id: string }[] }>().items.map((c) => c.id)).toEqual([campaign.id]);

    const daily = await t.app.inject({
      method: 'GET',
      url: `/api/v1/metrics/daily?campaignId=${campaign.id}&from=2026-04-01&to=2026-04-30`,
      headers: owner,
    });
    expect(daily.json()).toEqual({
      items: [
        {
          date: '2026-04-01',
          impressions: 1000,
          clicks: 50,
          spendMicros: 1_000_000,
          conversions: 5,
          revenueMicros: 5_000_000,
        },
        {
          date: '2026-04-02',
          impressions: 1000,
          clicks: 50,
          spendMicros: 2_000_000,
          conversions: 5,
          revenueMicros: 1_000_000,
        },
      ],
      nextOffset: null,
    });
    const backwards = await t.app.inject({
      method: 'GET',
      url: `/api/v1/metrics/daily?campaignId=${campaign.id}&from=2026-04-30&to=2026-04-01`,
      headers: owner,
    });
    expect(backwards.statusCode).toBe(400);
  });
});

describe('audit API', () => {
  it('filters by actor, action and entity, pages by cursor and exports CSV', async () => {
    const byAdmin = await t.app.inject({
      method: 'GET',
      url: `/api/v1/audit?actorUserId=${w.users.admin.id}&action=org.updated&limit=1`,
      headers: owner,
    });
    const page = byAdmin.json<{
      items: { action: string; actorUserId: string; seq: number }[];
      nextBeforeSeq: number | null;
    }>();
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ action: 'org.updated', actorUserId: w.users.admin.id });
    expect(page.nextBeforeSeq).toBe(page.items[0]?.seq);
    const older = await t.app.inject({
      method: 'GET',
      url: `/api/v1/audit?actorUserId=${w.users.admin.id}&action=org.updated&beforeSeq=${page.nextBeforeSeq}`,
      headers: owner,
    });
    expect(older.json<{ items: { seq: number }[] }>().items.every((i) => i.seq < (page.nextBeforeSeq ?? 0))).toBe(true);

    const future = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?from=2099-01-01T00:00:00Z',
      headers: owner,
    });
    expect(future.json<{ items: unknown[] }>().items).toEqual([]);

    const csv = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/export.csv?entityType=client',
      headers: owner,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('seq,occurredAt,actorUserId,action,entityType,entityId,ip,requestId,data,hash');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.includes(',client,'))).toBe(true);
  });

  it('defuses spreadsheet formulas a caller smuggles into the export', async () => {
    await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/org',
      headers: { ...admin, 'x-request-id': '-3-2' },
      payload: { mfaRequired: false },
    });
    const csv = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/export.csv?action=org.updated',
      headers: owner,
    });
    expect(csv.body).toContain(",'-3-2,");
    expect(csv.body).not.toContain(',-3-2,');
  });

  it('keeps the chain of everything above verifiable', async () => {
    expect(await verifyAuditChain(t.db, w.org.id)).toMatchObject({ ok: true });
  });
});
