import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import type { PullResponse, SyncChanges } from '@kiki/shared/sync/sync-protocol';
import { pruneSyncChanges } from '../../src/sync/sync-retention.service';
import { createTestApp, errorCodeOf, type TestApp } from '../helpers/test-app';
import type { TestOrg } from '../helpers/factories';
import { seedCampaign } from '../helpers/world';
import { pullAll, registeredDevice } from './sync-client';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.destroy();
});

/** Every row id in a set of changes, as "entity:id". */
function rowKeys(changes: SyncChanges): string[] {
  const keys: string[] = [];
  for (const [entity, rows] of Object.entries(changes)) {
    for (const row of rows as { id: string }[]) keys.push(`${entity}:${row.id}`);
  }
  return keys;
}

function allKeys(pages: PullResponse[]): string[] {
  return pages.flatMap((p) => rowKeys(p.changes));
}

async function addCreatives(orgId: string, campaignId: string) {
  const adCopyId = newId();
  await t.db
    .insertInto('ad_copies')
    .values({
      id: adCopyId,
      org_id: orgId,
      campaign_id: campaignId,
      variant_label: 'A',
      headline: 'H',
      primary_text: 'P',
      call_to_action: 'C',
      generated_by: 'human',
    })
    .execute();
  await t.db
    .insertInto('image_prompts')
    .values({ id: newId(), org_id: orgId, campaign_id: campaignId, prompt: 'p', aspect_ratio: '1:1' })
    .execute();
  await t.db
    .insertInto('video_prompts')
    .values({
      id: newId(),
      org_id: orgId,
      campaign_id: campaignId,
      prompt: 'v',
      duration_seconds: 6,
      aspect_ratio: '9:16',
    })
    .execute();
  return adCopyId;
}

/** An agency with three clients of two campaigns each, every campaign with creatives, a deployment and an ad. */
async function seedBigAgency(): Promise<{ org: TestOrg; clientIds: string[]; expected: Set<string> }> {
  const org = await t.createOrg();
  const clientIds: string[] = [];
  const expected = new Set<string>();
  for (let c = 0; c < 3; c++) {
    const client = await t.createClient({ orgId: org.id });
    clientIds.push(client.id);
    expected.add(`clients:${client.id}`);
    for (let k = 0; k < 2; k++) {
      const campaign = await seedCampaign(t.db, org.id, client.id, { days: [] });
      await addCreatives(org.id, campaign.id);
    }
  }
  for (const table of [
    'campaigns',
    'ad_copies',
    'image_prompts',
    'video_prompts',
    'platform_deployments',
    'ads',
  ] as const) {
    const rows = await t.db.selectFrom(table).select('id').where('org_id', '=', org.id).execute();
    const key = {
      campaigns: 'campaigns',
      ad_copies: 'adCopies',
      image_prompts: 'imagePrompts',
      video_prompts: 'videoPrompts',
      platform_deployments: 'deployments',
      ads: 'ads',
    }[table];
    for (const row of rows) expected.add(`${key}:${row.id}`);
  }
  return { org, clientIds, expected };
}

describe('sync pull', () => {
  it('pages a snapshot so every readable row arrives exactly once, with progress', async () => {
    const { org, expected } = await seedBigAgency();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const device = await registeredDevice(t, user);

    const pages = await pullAll(device, { cursor: null, limit: 4 });
    const keys = allKeys(pages);
    expect(keys.length).toBe(expected.size);
    expect(new Set(keys)).toEqual(expected);
    expect(pages.length).toBe(Math.ceil(expected.size / 4) + (expected.size % 4 === 0 ? 1 : 0));
    for (const page of pages) expect(rowKeys(page.changes).length).toBeLessThanOrEqual(4);
    expect(pages.at(-1)?.progress).toEqual({ done: expected.size, total: expected.size });
    expect(pages[0]?.progress).toEqual({ done: 4, total: expected.size });
    expect(pages.every((p) => !p.resetRequired && p.tombstones.length === 0)).toBe(true);

    // The final cursor is a delta cursor: nothing changed, so the next pull is empty.
    const next = await device.pull({
      cursor: pages.at(-1)?.cursor ?? null,
      knownClientIds: pages[0]?.readableClientIds,
    });
    expect(allKeys([next])).toEqual([]);
    expect(next.hasMore).toBe(false);
  });

  it('sends rows changed during a snapshot again as deltas after it', async () => {
    const { org, clientIds } = await seedBigAgency();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const device = await registeredDevice(t, user);
    const first = await device.pull({ cursor: null, limit: 2 });
    const campaign = await t.db
      .selectFrom('campaigns')
      .select('id')
      .where('org_id', '=', org.id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await t.db.updateTable('campaigns').set({ name: 'Changed mid-snapshot' }).where('id', '=', campaign.id).execute();
    const rest = await pullAll(device, { cursor: first.cursor, knownClientIds: clientIds, limit: 50 });
    const delta = await device.pull({ cursor: rest.at(-1)?.cursor ?? null, knownClientIds: clientIds });
    expect(delta.changes.campaigns.map((c) => [c.id, c.name])).toEqual([[campaign.id, 'Changed mid-snapshot']]);
  });

  it('sends only what changed after the cursor, with tombstones for deleted rows', async () => {
    const { org, clientIds } = await seedBigAgency();
    const user = await t.createUser({ orgId: org.id, role: 'manager' });
    const device = await registeredDevice(t, user);
    const snapshot = await pullAll(device, { cursor: null });
    const cursor = snapshot.at(-1)?.cursor ?? null;

    const [campaign, doomed] = await t.db
      .selectFrom('campaigns')
      .select(['id'])
      .where('org_id', '=', org.id)
      .orderBy('id')
      .limit(2)
      .execute();
    const copy = await t.db
      .selectFrom('ad_copies')
      .select('id')
      .where('campaign_id', '=', campaign?.id ?? '')
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable('campaigns')
      .set({ name: 'Edited' })
      .where('id', '=', campaign?.id ?? '')
      .execute();
    await t.db.deleteFrom('ad_copies').where('id', '=', copy.id).execute();
    // A campaign created and deleted between pulls is a tombstone too (the device may not know it; harmless).
    await t.db
      .deleteFrom('campaigns')
      .where('id', '=', doomed?.id ?? '')
      .execute();

    const delta = await device.pull({ cursor, knownClientIds: clientIds });
    expect(delta.changes.campaigns.map((c) => c.name)).toEqual(['Edited']);
    expect(delta.tombstones).toContainEqual({ entity: 'adCopy', id: copy.id });
    expect(delta.tombstones).toContainEqual({ entity: 'campaign', id: doomed?.id });
    // The deleted campaign's children go with it.
    const children = await t.db
      .selectFrom('sync_changes')
      .select('entity_type')
      .where('org_id', '=', org.id)
      .where('op', '=', 'delete')
      .execute();
    for (const entity of ['deployment', 'ad', 'imagePrompt', 'videoPrompt']) {
      expect(children.map((c) => c.entity_type)).toContain(entity);
    }
    expect(delta.tombstones.filter((x) => x.entity === 'ad')).toHaveLength(1);
    expect(delta.hasMore).toBe(false);
    expect(delta.serverVersion).toBeGreaterThan(0);

    const after = await device.pull({ cursor: delta.cursor, knownClientIds: clientIds });
    expect(allKeys([after])).toEqual([]);
    expect(after.tombstones).toEqual([]);
  });

  it('pages a long delta without splitting a version across pages', async () => {
    const { org, clientIds } = await seedBigAgency();
    const user = await t.createUser({ orgId: org.id, role: 'manager' });
    const device = await registeredDevice(t, user);
    const snapshot = await pullAll(device, { cursor: null });
    const campaigns = await t.db.selectFrom('campaigns').select('id').where('org_id', '=', org.id).execute();
    for (const [i, c] of campaigns.entries()) {
      await t.db
        .updateTable('campaigns')
        .set({ name: `Round ${i}` })
        .where('id', '=', c.id)
        .execute();
    }
    // One transaction touching every campaign: a version bigger than the page.
    await t.db.updateTable('campaigns').set({ objective: 'leads' }).where('org_id', '=', org.id).execute();
    const pages = await pullAll(device, {
      cursor: snapshot.at(-1)?.cursor ?? null,
      knownClientIds: clientIds,
      limit: 4,
    });
    expect(pages.length).toBeGreaterThan(1);
    const last = pages.at(-1)?.changes.campaigns ?? [];
    expect(last).toHaveLength(campaigns.length);
    expect(last.every((c) => c.objective === 'leads')).toBe(true);
    const seen = new Set(pages.flatMap((p) => p.changes.campaigns.map((c) => c.id)));
    expect(seen.size).toBe(campaigns.length);
  });

  it('lists revoked clients and sends a newly granted client whole on the next delta', async () => {
    const { org, clientIds } = await seedBigAgency();
    const [first, second, third] = clientIds as [string, string, string];
    const user = await t.createUser({ orgId: org.id, role: 'analyst', clientIds: [first, second] });
    const device = await registeredDevice(t, user);
    const snapshot = await pullAll(device, { cursor: null });
    expect(snapshot[0]?.readableClientIds.slice().sort()).toEqual([first, second].sort());
    const cursor = snapshot.at(-1)?.cursor ?? null;

    await t.db
      .updateTable('memberships')
      .set({ client_ids: [first, third] })
      .where('user_id', '=', user.id)
      .execute();
    const delta = await device.pull({ cursor, knownClientIds: [first, second] });
    expect(delta.scopesRevoked).toEqual([second]);
    expect(delta.readableClientIds.slice().sort()).toEqual([first, third].sort());
    expect(delta.changes.clients.map((c) => c.id)).toEqual([third]);
    const thirdCampaigns = await t.db.selectFrom('campaigns').select('id').where('client_id', '=', third).execute();
    expect(delta.changes.campaigns.map((c) => c.id).sort()).toEqual(thirdCampaigns.map((c) => c.id).sort());
    expect(delta.changes.adCopies).toHaveLength(thirdCampaigns.length);

    // Archiving a client takes it out of every scope too.
    await t.db.updateTable('clients').set({ archived_at: new Date() }).where('id', '=', third).execute();
    const archived = await device.pull({ cursor: delta.cursor, knownClientIds: [first, third] });
    expect(archived.scopesRevoked).toEqual([third]);
    expect(allKeys([archived])).toEqual([]);
  });

  it('asks for a reset once the change log behind the cursor was pruned', async () => {
    const { org, clientIds } = await seedBigAgency();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const device = await registeredDevice(t, user);
    const snapshot = await pullAll(device, { cursor: null });
    const cursor = snapshot.at(-1)?.cursor ?? null;
    await t.db
      .updateTable('clients')
      .set({ name: 'After snapshot' })
      .where('id', '=', clientIds[0] ?? '')
      .execute();

    const report = await pruneSyncChanges(t.db, { olderThanDays: 1, now: new Date(Date.now() + 2 * 86_400_000) });
    expect(report.changes).toBeGreaterThan(0);
    const versions = await t.db
      .selectFrom('sync_versions')
      .selectAll()
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(versions.retained_from).toBe(versions.version);
    expect(report.agencies).toContainEqual({ orgId: org.id, retainedFrom: versions.version });

    const stale = await device.pull({ cursor, knownClientIds: clientIds });
    expect(stale).toMatchObject({ resetRequired: true, hasMore: false, tombstones: [] });
    expect(allKeys([stale])).toEqual([]);
    // A cursor at the current version is still good: nothing after it was pruned.
    const fresh = await pullAll(device, { cursor: null });
    const current = await device.pull({ cursor: fresh.at(-1)?.cursor ?? null, knownClientIds: clientIds });
    expect(current.resetRequired).toBe(false);
  });

  it('refuses a cursor the server did not issue', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const device = await registeredDevice(t, user);
    const res = await device.pullRaw({ cursor: 'bm90LWEtY3Vyc29y' });
    expect(res.statusCode).toBe(400);
    expect(errorCodeOf(res)).toBe('VALIDATION_FAILED');
  });

  it('reports the last acknowledged mutation of the device', async () => {
    const org = await t.createOrg();
    const client = await t.createClient({ orgId: org.id });
    const campaign = await seedCampaign(t.db, org.id, client.id, { days: [] });
    const user = await t.createUser({ orgId: org.id, role: 'operator' });
    const device = await registeredDevice(t, user);
    await device.push({ name: 'campaign.rename', args: { campaignId: campaign.id, name: 'Acked' } });
    const page = await device.pull({ cursor: null });
    expect(page.lastAckedMutationId).toBe(1);
  });

  it('restarts a snapshot whose readable clients changed between pages, so no table misses a client', async () => {
    const { org, clientIds, expected } = await seedBigAgency();
    const [first] = clientIds as [string, string, string];
    const user = await t.createUser({ orgId: org.id, role: 'analyst', clientIds: [first] });
    const device = await registeredDevice(t, user);
    const page1 = await device.pull({ cursor: null, limit: 3 });
    expect(page1.hasMore).toBe(true);
    await t.db.updateTable('memberships').set({ client_ids: null }).where('user_id', '=', user.id).execute();
    const rest = await pullAll(device, { cursor: page1.cursor, knownClientIds: [first], limit: 3 });
    expect(rest[0]?.progress).toEqual({ done: 3, total: expected.size });
    expect(new Set(allKeys(rest))).toEqual(expected);
  });

  it('asks for a reset when the cursor is ahead of the server (a database restored from an older backup)', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const device = await registeredDevice(t, user);
    const future = Buffer.from(JSON.stringify({ k: 'd', v: 1_000_000 })).toString('base64url');
    const page = await device.pull({ cursor: future });
    expect(page.resetRequired).toBe(true);
  });
});
