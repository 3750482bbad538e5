import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { newId } from '@kiki/shared/ids';
import type { Database } from '../../src/db/database';
import { createClient, createOrg, createUser } from '../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { seedCampaign } from '../helpers/world';

let database: TestDatabase;
let db: Kysely<Database>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database.destroy();
});

async function currentVersion(orgId: string): Promise<number> {
  const row = await db
    .selectFrom('sync_versions')
    .select('version')
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return row.version;
}

async function changesAfter(orgId: string, version: number) {
  return db
    .selectFrom('sync_changes')
    .select(['version', 'entity_type', 'entity_id', 'client_id', 'op'])
    .where('org_id', '=', orgId)
    .where('version', '>', version)
    .orderBy('version')
    .orderBy('entity_type')
    .execute();
}

async function addCreatives(orgId: string, clientId: string, campaignId: string) {
  const ids = { adCopy: newId(), imagePrompt: newId(), videoPrompt: newId(), approval: newId() };
  const requester = await createUser(db, { orgId, role: 'operator' });
  await db
    .insertInto('ad_copies')
    .values({
      id: ids.adCopy,
      org_id: orgId,
      campaign_id: campaignId,
      variant_label: 'A',
      headline: 'Hello',
      primary_text: 'World',
      call_to_action: 'Buy',
      generated_by: 'human',
    })
    .execute();
  await db
    .insertInto('image_prompts')
    .values({ id: ids.imagePrompt, org_id: orgId, campaign_id: campaignId, prompt: 'a cat', aspect_ratio: '1:1' })
    .execute();
  await db
    .insertInto('video_prompts')
    .values({
      id: ids.videoPrompt,
      org_id: orgId,
      campaign_id: campaignId,
      prompt: 'a dog',
      duration_seconds: 15,
      aspect_ratio: '9:16',
    })
    .execute();
  await db
    .insertInto('approvals')
    .values({
      id: ids.approval,
      org_id: orgId,
      client_id: clientId,
      campaign_id: campaignId,
      kind: 'budget_change',
      requested_by: requester.id,
      payload: JSON.stringify({ budgetType: 'daily', budgetMicros: 1 }),
    })
    .execute();
  return ids;
}

describe('sync schema (migration 0003)', () => {
  it('gives every agency a version row, including ones created after the migration', async () => {
    const org = await createOrg(db);
    const row = await db.selectFrom('sync_versions').selectAll().where('org_id', '=', org.id).executeTakeFirst();
    expect(row).toEqual({ org_id: org.id, version: 0, retained_from: 0 });
  });

  it('records inserts, updates and deletes of every synced table with the advertiser client', async () => {
    const org = await createOrg(db);
    const before = await currentVersion(org.id);
    const client = await createClient(db, { orgId: org.id });
    const campaign = await seedCampaign(db, org.id, client.id);
    const creatives = await addCreatives(org.id, client.id, campaign.id);
    const deployment = await db
      .selectFrom('platform_deployments')
      .select('id')
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();

    const inserted = await changesAfter(org.id, before);
    const upserts = new Map(inserted.map((c) => [`${c.entity_type}:${c.entity_id}`, c]));
    const expected: [string, string][] = [
      ['client', client.id],
      ['campaign', campaign.id],
      ['deployment', deployment.id],
      ['ad', campaign.adId],
      ['adCopy', creatives.adCopy],
      ['imagePrompt', creatives.imagePrompt],
      ['videoPrompt', creatives.videoPrompt],
      ['approval', creatives.approval],
    ];
    for (const [type, id] of expected) {
      expect(upserts.get(`${type}:${id}`), `${type} insert`).toMatchObject({ op: 'upsert', client_id: client.id });
    }

    const afterInserts = await currentVersion(org.id);
    await db.updateTable('clients').set({ name: 'Renamed' }).where('id', '=', client.id).execute();
    await db.updateTable('campaigns').set({ name: 'Renamed' }).where('id', '=', campaign.id).execute();
    await db.updateTable('platform_deployments').set({ status: 'paused' }).where('id', '=', deployment.id).execute();
    await db.updateTable('ads').set({ status: 'paused' }).where('id', '=', campaign.adId).execute();
    await db.updateTable('ad_copies').set({ headline: 'Hi' }).where('id', '=', creatives.adCopy).execute();
    await db.updateTable('image_prompts').set({ prompt: 'x' }).where('id', '=', creatives.imagePrompt).execute();
    await db.updateTable('video_prompts').set({ prompt: 'y' }).where('id', '=', creatives.videoPrompt).execute();
    await db.updateTable('approvals').set({ status: 'cancelled' }).where('id', '=', creatives.approval).execute();
    const updated = await changesAfter(org.id, afterInserts);
    expect(updated.map((c) => `${c.entity_type}:${c.op}`).sort()).toEqual(
      expected.map(([type]) => `${type}:upsert`).sort(),
    );
    // Autocommit statements are one transaction each: every update got its own, increasing version.
    expect(new Set(updated.map((c) => c.version)).size).toBe(expected.length);

    // Deleting the client cascades through every table; each row still names its advertiser client.
    const afterUpdates = await currentVersion(org.id);
    await db.deleteFrom('clients').where('id', '=', client.id).execute();
    const deleted = await changesAfter(org.id, afterUpdates);
    expect(deleted.map((c) => `${c.entity_type}:${c.entity_id}`).sort()).toEqual(
      expected.map(([type, id]) => `${type}:${id}`).sort(),
    );
    expect(deleted.every((c) => c.op === 'delete' && c.client_id === client.id)).toBe(true);
    expect(new Set(deleted.map((c) => c.version))).toEqual(new Set([afterUpdates + 1]));
  });

  it('allocates one version per transaction, and the last operation on a row wins', async () => {
    const org = await createOrg(db);
    const before = await currentVersion(org.id);
    const clientId = newId();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('clients')
        .values({ id: clientId, org_id: org.id, name: 'Tx', currency: 'EUR', timezone: 'Europe/Berlin' })
        .execute();
      await trx.updateTable('clients').set({ name: 'Tx 2' }).where('id', '=', clientId).execute();
      await seedCampaign(trx, org.id, clientId);
    });
    expect(await currentVersion(org.id)).toBe(before + 1);
    const changes = await changesAfter(org.id, before);
    expect(new Set(changes.map((c) => c.version))).toEqual(new Set([before + 1]));

    const mid = await currentVersion(org.id);
    const gone = newId();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('clients')
        .values({ id: gone, org_id: org.id, name: 'Brief', currency: 'EUR', timezone: 'Europe/Berlin' })
        .execute();
      await trx.deleteFrom('clients').where('id', '=', gone).execute();
    });
    expect(await changesAfter(org.id, mid)).toEqual([
      { version: mid + 1, entity_type: 'client', entity_id: gone, client_id: gone, op: 'delete' },
    ]);
  });

  it('hands out versions in commit order: a second writer waits for the first', async () => {
    const org = await createOrg(db);
    const first = await db.startTransaction().execute();
    const second = await db.startTransaction().execute();
    try {
      const a = await sql<{ v: string }>`select kiki_sync_version(${org.id}::uuid)::text as v`.execute(first);
      let secondDone = false;
      const b = sql<{ v: string }>`select kiki_sync_version(${org.id}::uuid)::text as v`.execute(second).then((r) => {
        secondDone = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 300));
      // Blocked on the agency's version row until the first writer commits.
      expect(secondDone).toBe(false);
      await first.commit().execute();
      const bRows = await b;
      expect(Number(bRows.rows[0]?.v)).toBe(Number(a.rows[0]?.v) + 1);
      // Cached for the rest of the transaction.
      const again = await sql<{ v: string }>`select kiki_sync_version(${org.id}::uuid)::text as v`.execute(second);
      expect(again.rows[0]?.v).toBe(bRows.rows[0]?.v);
      await second.commit().execute();
    } finally {
      if (!first.isCommitted && !first.isRolledBack) await first.rollback().execute();
      if (!second.isCommitted && !second.isRolledBack) await second.rollback().execute();
    }
  });

  it('bumps the status and budget versions only when that field changes', async () => {
    const org = await createOrg(db);
    const client = await createClient(db, { orgId: org.id });
    const campaign = await seedCampaign(db, org.id, client.id, { days: [] });
    const read = () =>
      db
        .selectFrom('campaigns')
        .select(['status_version', 'budget_version'])
        .where('id', '=', campaign.id)
        .executeTakeFirstOrThrow();
    expect(await read()).toEqual({ status_version: 1, budget_version: 1 });
    await db.updateTable('campaigns').set({ name: 'Other' }).where('id', '=', campaign.id).execute();
    await db.updateTable('campaigns').set({ status: 'active' }).where('id', '=', campaign.id).execute();
    expect(await read()).toEqual({ status_version: 1, budget_version: 1 });
    await db.updateTable('campaigns').set({ status: 'paused' }).where('id', '=', campaign.id).execute();
    expect(await read()).toEqual({ status_version: 2, budget_version: 1 });
    await db.updateTable('campaigns').set({ budget_micros: 1 }).where('id', '=', campaign.id).execute();
    await db.updateTable('campaigns').set({ budget_type: 'lifetime' }).where('id', '=', campaign.id).execute();
    expect(await read()).toEqual({ status_version: 2, budget_version: 3 });
  });

  it('stamps metric rows with the version of their write and notifies once per client per transaction', async () => {
    const org = await createOrg(db);
    const client = await createClient(db, { orgId: org.id });
    const campaign = await seedCampaign(db, org.id, client.id, { days: [] });
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (n) => {
      if (n.channel === 'kiki_sync' && n.payload !== undefined) payloads.push(n.payload);
    });
    try {
      await listener.query('LISTEN kiki_sync');
      const days = Array.from({ length: 40 }, (_, i) => `2026-02-${String((i % 28) + 1).padStart(2, '0')}`);
      const unique = [...new Set(days)];
      await db
        .insertInto('performance_metrics')
        .values(
          unique.map((date) => ({
            org_id: org.id,
            platform: 'meta' as const,
            ad_id: campaign.adId,
            date,
            client_id: client.id,
            campaign_id: campaign.id,
          })),
        )
        .execute();
      const version = await currentVersion(org.id);
      const seqs = await db
        .selectFrom('performance_metrics')
        .select('change_seq')
        .distinct()
        .where('client_id', '=', client.id)
        .execute();
      expect(seqs).toEqual([{ change_seq: version }]);
      await expect.poll(() => payloads.length).toBeGreaterThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 100));
      const parsed = payloads.map((p) => JSON.parse(p) as Record<string, unknown>);
      expect(parsed).toEqual([
        { o: org.id, v: version },
        { o: org.id, v: version, c: client.id },
      ]);
    } finally {
      await listener.end();
    }
  });

  it('notifies the user whose memberships change', async () => {
    const org = await createOrg(db);
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (n) => {
      if (n.payload !== undefined) payloads.push(n.payload);
    });
    try {
      await listener.query('LISTEN kiki_sync');
      const user = await createUser(db, { orgId: org.id, role: 'analyst' });
      await expect.poll(() => payloads.map((p) => JSON.parse(p) as unknown)).toContainEqual({ o: org.id, u: user.id });
    } finally {
      await listener.end();
    }
  });
});
