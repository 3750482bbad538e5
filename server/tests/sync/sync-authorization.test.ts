import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { SYNC_PATHS } from '@kiki/shared/sync/sync-protocol';
import { createTestApp, errorCodeOf, type TestApp } from '../helpers/test-app';
import { seedAgency, type AgencyWorld } from '../helpers/world';
import { pullAll, registeredDevice, testDevice } from './sync-client';

let t: TestApp;
let world: AgencyWorld;
let other: AgencyWorld;

beforeAll(async () => {
  t = await createTestApp();
  world = await seedAgency(t, 'Home');
  other = await seedAgency(t, 'Elsewhere');
});
afterAll(async () => {
  await t.destroy();
});

async function rejectionAudits(actorId: string, entityId: string) {
  return t.db
    .selectFrom('audit_log')
    .select(['org_id', 'data', 'entity_type'])
    .where('action', '=', 'sync.mutation_rejected')
    .where('actor_user_id', '=', actorId)
    .where('entity_id', '=', entityId)
    .execute();
}

describe('authorization in sync', () => {
  it('never sends a client-limited user rows of a client they cannot read', async () => {
    const analyst = await t.createUser({ orgId: world.org.id, role: 'analyst', clientIds: [world.clientA.id] });
    const device = await registeredDevice(t, analyst);
    const pages = await pullAll(device, { cursor: null, limit: 2 });
    const changes = pages.map((p) => p.changes);
    expect(pages[0]?.readableClientIds).toEqual([world.clientA.id]);
    expect(changes.flatMap((c) => c.clients.map((r) => r.id))).toEqual([world.clientA.id]);
    expect(changes.flatMap((c) => c.campaigns.map((r) => r.id))).toEqual([world.campaignA.id]);
    const campaignIds = new Set([world.campaignA.id]);
    for (const c of changes) {
      for (const rows of [c.adCopies, c.imagePrompts, c.videoPrompts, c.deployments, c.ads]) {
        for (const row of rows) expect(campaignIds.has(row.campaignId)).toBe(true);
      }
    }
    expect(changes.flatMap((c) => c.ads.map((r) => r.id))).toEqual([world.campaignA.adId]);

    // Client B changes; the analyst's delta stays silent about it.
    await t.db.updateTable('campaigns').set({ name: 'B moved' }).where('id', '=', world.campaignB.id).execute();
    await t.db.updateTable('campaigns').set({ name: 'A moved' }).where('id', '=', world.campaignA.id).execute();
    const delta = await device.pull({ cursor: pages.at(-1)?.cursor ?? null, knownClientIds: [world.clientA.id] });
    expect(delta.changes.campaigns.map((c) => c.id)).toEqual([world.campaignA.id]);
  });

  it('lets a client_viewer pull their client', async () => {
    const device = await registeredDevice(t, world.users.client_viewer);
    const pages = await pullAll(device, { cursor: null });
    expect(pages[0]?.readableClientIds).toEqual([world.clientA.id]);
    expect(pages.flatMap((p) => p.changes.campaigns.map((c) => c.id))).toEqual([world.campaignA.id]);
  });

  it("rejects and audits a push into another agency's campaign, revealing nothing", async () => {
    const before = await t.db
      .selectFrom('campaigns')
      .select('name')
      .where('id', '=', other.campaignA.id)
      .executeTakeFirstOrThrow();
    const device = await registeredDevice(t, world.users.owner);
    const res = await device.push({
      name: 'campaign.rename',
      args: { campaignId: other.campaignA.id, name: 'Hijacked' },
    });
    expect(res.results[0]).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
    expect(res.results[0]?.rows).toBeUndefined();
    expect(res.lastAckedMutationId).toBe(1);
    const after = await t.db
      .selectFrom('campaigns')
      .select('name')
      .where('id', '=', other.campaignA.id)
      .executeTakeFirstOrThrow();
    expect(after.name).toBe(before.name);
    const audits = await rejectionAudits(world.users.owner.id, other.campaignA.id);
    expect(audits).toHaveLength(1);
    // Audited in the pusher's agency, not the victim's.
    expect(audits[0]?.org_id).toBe(world.org.id);
    expect(audits[0]?.data).toMatchObject({ deviceId: device.deviceId, mutationId: 1, reason: 'NOT_FOUND' });
  });

  it('rejects and audits a push to a client the user can read but not edit', async () => {
    const device = await registeredDevice(t, world.users.analyst);
    const res = await device.push(
      { name: 'campaign.rename', args: { campaignId: world.campaignA.id, name: 'Analyst was here' } },
      {
        name: 'campaign.setBudget',
        args: { campaignId: world.campaignA.id, budgetType: 'daily', budgetMicros: 1 },
        baseVersion: 1,
      },
    );
    expect(res.results.map((r) => [r.status, r.error?.code])).toEqual([
      ['rejected', 'FORBIDDEN'],
      ['rejected', 'FORBIDDEN'],
    ]);
    // The analyst can still read the campaign, so the result carries the server's state to roll back to.
    expect(res.results[0]?.rows?.campaigns[0]?.id).toBe(world.campaignA.id);
    const row = await t.db
      .selectFrom('campaigns')
      .select(['name', 'budget_micros'])
      .where('id', '=', world.campaignA.id)
      .executeTakeFirstOrThrow();
    expect(row.name).not.toBe('Analyst was here');
    expect(row.budget_micros).not.toBe(1);
    const audits = await rejectionAudits(world.users.analyst.id, world.campaignA.id);
    expect(audits.map((a) => (a.data as { reason?: string }).reason)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  });

  it('rejects an operator limited to client A pushing to client B', async () => {
    const operator = await t.createUser({ orgId: world.org.id, role: 'operator', clientIds: [world.clientA.id] });
    const device = await registeredDevice(t, operator);
    const res = await device.push(
      { name: 'campaign.rename', args: { campaignId: world.campaignB.id, name: 'Wrong client' } },
      { name: 'campaign.rename', args: { campaignId: world.campaignA.id, name: 'Right client' } },
    );
    expect(res.results.map((r) => r.status)).toEqual(['rejected', 'applied']);
    expect(res.results[0]?.error?.code).toBe('FORBIDDEN');
    // Client B is not readable for this operator: no rows of it come back.
    expect(res.results[0]?.rows).toBeUndefined();
    expect(await rejectionAudits(operator.id, world.campaignB.id)).toHaveLength(1);
  });

  it("refuses another user's device with 403 on register, push and pull", async () => {
    const mine = await registeredDevice(t, world.users.operator);
    const thief = await testDevice(t, world.users.manager, mine.deviceId);
    const register = await thief.register();
    expect(register.statusCode).toBe(403);
    expect(errorCodeOf(register)).toBe('FORBIDDEN');
    const push = await thief.pushRaw([
      { name: 'campaign.rename', args: { campaignId: world.campaignA.id, name: 'Through a stolen device' } },
    ]);
    expect(push.statusCode).toBe(403);
    const pull = await thief.pullRaw({ cursor: null });
    expect(pull.statusCode).toBe(403);
    const foreign = await testDevice(t, other.users.owner, mine.deviceId);
    expect((await foreign.pullRaw({ cursor: null })).statusCode).toBe(403);
    // Each refusal leaves a trace in the actor's own agency, none in the device owner's name.
    const audits = await t.db
      .selectFrom('audit_log')
      .select(['org_id', 'actor_user_id', 'entity_id'])
      .where('action', '=', 'sync.device_rejected')
      .where('entity_id', '=', mine.deviceId)
      .execute();
    const byManager = { org_id: world.org.id, actor_user_id: world.users.manager.id, entity_id: mine.deviceId };
    expect(audits.filter((a) => a.org_id === world.org.id)).toEqual([byManager, byManager, byManager]);
    expect(audits.filter((a) => a.org_id !== world.org.id)).toEqual([
      { org_id: other.org.id, actor_user_id: other.users.owner.id, entity_id: mine.deviceId },
    ]);
  });

  it('answers an unregistered device with 404 and an unauthenticated caller with 401', async () => {
    const unregistered = await testDevice(t, world.users.operator, newId());
    expect((await unregistered.pullRaw({ cursor: null })).statusCode).toBe(404);
    const res = await t.app.inject({ method: 'POST', url: SYNC_PATHS.pull, payload: {} });
    expect(res.statusCode).toBe(401);
  });

  it('lets a user whose last grant was revoked pull once more to purge everything', async () => {
    const analyst = await t.createUser({ orgId: world.org.id, role: 'analyst', clientIds: [world.clientA.id] });
    const device = await registeredDevice(t, analyst);
    const pages = await pullAll(device, { cursor: null });
    await t.db.deleteFrom('memberships').where('user_id', '=', analyst.id).execute();
    const after = await device.pull({ cursor: pages.at(-1)?.cursor ?? null, knownClientIds: [world.clientA.id] });
    expect(after.scopesRevoked).toEqual([world.clientA.id]);
    expect(after.readableClientIds).toEqual([]);
  });

  it('keeps the first registration and answers re-registration with the stored mutation id', async () => {
    const device = await testDevice(t, world.users.operator);
    const first = await device.register(41);
    expect(first.json()).toMatchObject({ deviceId: device.deviceId, lastAckedMutationId: 41 });
    const again = await device.register(0);
    expect(again.json()).toMatchObject({ lastAckedMutationId: 41 });
  });

  it('documents the sync endpoints in the OpenAPI spec', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    const spec = res.json<{ paths: Record<string, Record<string, { tags?: string[] }>> }>();
    for (const path of [SYNC_PATHS.register, SYNC_PATHS.push, SYNC_PATHS.pull]) {
      expect(spec.paths[path]?.post?.tags, path).toEqual(['sync']);
    }
  });
});
