import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRequest } from '../helpers/route-samples';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { seedAgency, type AgencyWorld } from '../helpers/world';

let t: TestApp;
let victim: AgencyWorld;
let attacker: AgencyWorld;

beforeAll(async () => {
  t = await createTestApp();
  victim = await seedAgency(t, 'Victim');
  attacker = await seedAgency(t, 'Attacker');
});
afterAll(async () => {
  await t.destroy();
});

/** Every id, name and email of the victim agency: none may appear in anything the attacker receives. */
function victimSecrets(): string[] {
  return [
    victim.org.id,
    victim.org.name,
    victim.clientA.id,
    victim.clientA.name,
    victim.clientB.id,
    victim.clientB.name,
    victim.campaignA.id,
    victim.campaignB.id,
    victim.target.id,
    victim.target.email,
    ...Object.values(victim.users).flatMap((u) => [u.id, u.email]),
  ];
}

async function victimState(): Promise<unknown> {
  const [org, clients, users, memberships] = await Promise.all([
    t.db.selectFrom('organizations').selectAll().where('id', '=', victim.org.id).execute(),
    t.db.selectFrom('clients').selectAll().where('org_id', '=', victim.org.id).orderBy('id').execute(),
    t.db
      .selectFrom('users')
      .select(['id', 'display_name', 'status'])
      .where('org_id', '=', victim.org.id)
      .orderBy('id')
      .execute(),
    t.db.selectFrom('memberships').selectAll().where('org_id', '=', victim.org.id).orderBy('id').execute(),
  ]);
  return { org, clients, users, memberships };
}

describe('cross-agency access', () => {
  it('never gives another agency’s owner any data of ours, on any route, and changes nothing', async () => {
    const before = await victimState();
    const victimMembership = await t.db
      .selectFrom('memberships')
      .select('id')
      .where('user_id', '=', victim.target.id)
      .executeTakeFirstOrThrow();
    const secrets = victimSecrets();
    const leaks: string[] = [];
    let attempts = 0;
    for (const route of t.app.routeDeclarations) {
      if (route.permission === 'public' || route.method === 'OPTIONS') continue;
      const sample = sampleRequest(route, victim, victimMembership.id);
      const res = await t.app.inject({
        method: route.method as 'GET',
        url: sample.url,
        headers: await t.authHeader(attacker.users.owner),
        ...(sample.payload === undefined ? {} : { payload: sample.payload }),
      });
      attempts++;
      const targetsVictimId =
        /:(clientId|userId|campaignId|membershipId)/.test(route.url) || sample.clientId !== undefined;
      if (targetsVictimId && res.statusCode < 400) {
        leaks.push(`${route.method} ${route.url} answered ${res.statusCode} for a victim id`);
      }
      for (const secret of secrets) {
        if (res.body.includes(secret)) leaks.push(`${route.method} ${route.url} leaked ${secret}`);
      }
    }
    expect(attempts).toBeGreaterThan(20);
    expect(leaks).toEqual([]);
    expect(await victimState()).toEqual(before);
  });

  it('answers 404 (not 403) for another agency’s ids, so ids cannot be probed', async () => {
    const headers = await t.authHeader(attacker.users.owner);
    for (const url of [
      `/api/v1/clients/${victim.clientA.id}`,
      `/api/v1/users/${victim.target.id}`,
      `/api/v1/campaigns/${victim.campaignA.id}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(404);
    }
  });
});

describe('client-limited grants', () => {
  it('show a client_viewer only their own client, its campaigns and its metrics', async () => {
    const viewer = victim.users.client_viewer;
    const headers = await t.authHeader(viewer);
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers });

    const clients = await get('/api/v1/clients');
    expect(clients.statusCode).toBe(200);
    expect(clients.json<{ items: { id: string }[] }>().items.map((c) => c.id)).toEqual([victim.clientA.id]);

    expect((await get(`/api/v1/clients/${victim.clientA.id}`)).statusCode).toBe(200);
    expect((await get(`/api/v1/clients/${victim.clientB.id}`)).statusCode).toBe(403);

    const campaigns = await get('/api/v1/campaigns');
    expect(campaigns.json<{ items: { id: string }[] }>().items.map((c) => c.id)).toEqual([victim.campaignA.id]);
    expect((await get(`/api/v1/campaigns?clientId=${victim.clientB.id}`)).statusCode).toBe(403);
    expect((await get(`/api/v1/campaigns/${victim.campaignB.id}`)).statusCode).toBe(404);

    const range = 'from=2026-03-01&to=2026-03-31';
    const own = await get(`/api/v1/metrics/daily?clientId=${victim.clientA.id}&${range}`);
    expect(own.json<{ items: { date: string; spendMicros: number }[] }>().items).toEqual([
      expect.objectContaining({ date: '2026-03-01', spendMicros: 10_000_000 }),
    ]);
    expect((await get(`/api/v1/metrics/daily?clientId=${victim.clientB.id}&${range}`)).statusCode).toBe(403);
    expect((await get(`/api/v1/metrics/daily?campaignId=${victim.campaignB.id}&${range}`)).statusCode).toBe(404);

    expect((await get('/api/v1/users')).statusCode).toBe(403);
    expect((await get('/api/v1/audit')).statusCode).toBe(403);
  });
});
