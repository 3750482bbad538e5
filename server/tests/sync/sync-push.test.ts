import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { newId } from '@kiki/shared/ids';
import {
  conflictDetailsSchema,
  SYNC_MIN_SUPPORTED_VERSION,
  SYNC_PATHS,
  SYNC_PROTOCOL_VERSION,
  SYNC_SCHEMA_VERSION_HEADER,
} from '@kiki/shared/sync/sync-protocol';
import { createTestApp, errorCodeOf, type TestApp } from '../helpers/test-app';
import { seedAgency, seedCampaign, type AgencyWorld } from '../helpers/world';
import { registeredDevice } from './sync-client';

let t: TestApp;
let world: AgencyWorld;

beforeAll(async () => {
  t = await createTestApp();
  world = await seedAgency(t, 'Pushers');
});
afterAll(async () => {
  await t.destroy();
});

async function freshCampaign(clientId = world.clientA.id) {
  return seedCampaign(t.db, world.org.id, clientId, { days: [] });
}

async function campaignRow(id: string) {
  return t.db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function auditRows(action: string, entityId: string) {
  return t.db
    .selectFrom('audit_log')
    .select(['action', 'actor_user_id', 'data'])
    .where('org_id', '=', world.org.id)
    .where('action', '=', action)
    .where('entity_id', '=', entityId)
    .execute();
}

async function addAdCopy(campaignId: string): Promise<string> {
  const id = newId();
  await t.db
    .insertInto('ad_copies')
    .values({
      id,
      org_id: world.org.id,
      campaign_id: campaignId,
      variant_label: 'A',
      headline: 'Old headline',
      primary_text: 'Old text',
      call_to_action: 'Shop now',
      generated_by: 'ai',
    })
    .execute();
  return id;
}

describe('sync push', () => {
  it('applies every mutation kind, in order, each with its audit row and the resulting server rows', async () => {
    const campaign = await freshCampaign();
    const adCopyId = await addAdCopy(campaign.id);
    const device = await registeredDevice(t, world.users.operator);
    const res = await device.push(
      { name: 'campaign.rename', args: { campaignId: campaign.id, name: 'Summer Sale' } },
      { name: 'campaign.setStatus', args: { campaignId: campaign.id, status: 'paused' }, baseVersion: 1 },
      {
        name: 'campaign.setBudget',
        args: { campaignId: campaign.id, budgetType: 'lifetime', budgetMicros: 900_000_000 },
        baseVersion: 1,
      },
      {
        name: 'campaign.setSchedule',
        args: { campaignId: campaign.id, startDate: '2026-06-01', endDate: '2026-08-31' },
      },
      { name: 'adCopy.updateText', args: { adCopyId, headline: 'New headline' } },
    );

    expect(res.results.map((r) => [r.id, r.status, r.duplicate])).toEqual([
      [1, 'applied', false],
      [2, 'applied', false],
      [3, 'applied', false],
      [4, 'applied', false],
      [5, 'applied', false],
    ]);
    expect(res.lastAckedMutationId).toBe(5);
    const row = await campaignRow(campaign.id);
    expect(row).toMatchObject({
      name: 'Summer Sale',
      status: 'paused',
      status_version: 2,
      budget_type: 'lifetime',
      budget_micros: 900_000_000,
      budget_version: 2,
      start_date: '2026-06-01',
      end_date: '2026-08-31',
    });
    const copy = await t.db.selectFrom('ad_copies').selectAll().where('id', '=', adCopyId).executeTakeFirstOrThrow();
    expect(copy).toMatchObject({ headline: 'New headline', primary_text: 'Old text' });

    // Each result carries the server's row as that mutation left it.
    expect(res.results[0]?.rows?.campaigns).toEqual([
      expect.objectContaining({ id: campaign.id, name: 'Summer Sale', status: 'active', statusVersion: 1 }),
    ]);
    expect(res.results[2]?.rows?.campaigns).toEqual([
      expect.objectContaining({ status: 'paused', statusVersion: 2, budgetMicros: 900_000_000, budgetVersion: 2 }),
    ]);
    expect(res.results[4]?.rows?.adCopies).toEqual([
      expect.objectContaining({ id: adCopyId, headline: 'New headline' }),
    ]);

    const renamed = await auditRows('campaign.renamed', campaign.id);
    expect(renamed).toHaveLength(1);
    expect(renamed[0]?.actor_user_id).toBe(world.users.operator.id);
    expect(renamed[0]?.data).toMatchObject({
      deviceId: device.deviceId,
      mutationId: 1,
      before: { name: expect.any(String) as string },
      after: { name: 'Summer Sale' },
    });
    expect(await auditRows('campaign.status_changed', campaign.id)).toHaveLength(1);
    expect(await auditRows('campaign.budget_changed', campaign.id)).toHaveLength(1);
    expect(await auditRows('campaign.schedule_changed', campaign.id)).toHaveLength(1);
    expect(await auditRows('ad_copy.text_changed', adCopyId)).toHaveLength(1);
  });

  it('replays a resent mutation with its first answer, applying and auditing it only once', async () => {
    const campaign = await freshCampaign();
    const device = await registeredDevice(t, world.users.operator);
    const first = await device.push({ name: 'campaign.rename', args: { campaignId: campaign.id, name: 'Once' } });
    // Someone else renames it afterwards; the lost-ack resend must not rename it back.
    await t.db.updateTable('campaigns').set({ name: 'Later' }).where('id', '=', campaign.id).execute();
    const again = await device.push({
      id: 1,
      name: 'campaign.rename',
      args: { campaignId: campaign.id, name: 'Once' },
    });

    expect(first.results[0]).toMatchObject({ id: 1, status: 'applied', duplicate: false });
    expect(again.results[0]).toMatchObject({ id: 1, status: 'applied', duplicate: true });
    expect(again.results[0]?.rows?.campaigns[0]?.name).toBe('Later');
    expect(again.lastAckedMutationId).toBe(1);
    expect((await campaignRow(campaign.id)).name).toBe('Later');
    expect(await auditRows('campaign.renamed', campaign.id)).toHaveLength(1);
    const stored = await t.db
      .selectFrom('sync_mutation_results')
      .select('mutation_id')
      .where('device_id', '=', device.deviceId)
      .execute();
    expect(stored).toEqual([{ mutation_id: 1 }]);
  });

  it('refuses a push that skips ids with 409 SYNC_GAP and applies nothing', async () => {
    const campaign = await freshCampaign();
    const device = await registeredDevice(t, world.users.operator);
    const res = await device.pushRaw([
      { id: 3, name: 'campaign.rename', args: { campaignId: campaign.id, name: 'Gap 3' } },
      { id: 4, name: 'campaign.rename', args: { campaignId: campaign.id, name: 'Gap 4' } },
    ]);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      error: { code: 'SYNC_GAP', details: { expectedMutationId: 1, receivedMutationId: 3 } },
    });
    expect((await campaignRow(campaign.id)).name).not.toMatch(/^Gap/);
    const deviceRow = await t.db
      .selectFrom('sync_devices')
      .select('last_mutation_id')
      .where('id', '=', device.deviceId)
      .executeTakeFirstOrThrow();
    expect(deviceRow.last_mutation_id).toBe(0);
  });

  it('refuses ids that are not consecutive within one push with 400', async () => {
    const campaign = await freshCampaign();
    const device = await registeredDevice(t, world.users.operator);
    const res = await device.pushRaw([
      { id: 1, name: 'campaign.rename', args: { campaignId: campaign.id, name: 'One' } },
      { id: 3, name: 'campaign.rename', args: { campaignId: campaign.id, name: 'Three' } },
    ]);
    expect(res.statusCode).toBe(400);
    expect(errorCodeOf(res)).toBe('VALIDATION_FAILED');
    expect((await campaignRow(campaign.id)).name).not.toBe('One');
  });

  it('rejects invalid args as VALIDATION_FAILED and moves the queue on', async () => {
    const campaign = await freshCampaign();
    const device = await registeredDevice(t, world.users.operator);
    const res = await device.push(
      { name: 'campaign.rename', args: { campaignId: campaign.id, name: '   ' } },
      { name: 'campaign.setStatus', args: { campaignId: campaign.id, status: 'paused' } },
      { name: 'campaign.rename', args: { campaignId: campaign.id, name: 'Valid' } },
    );
    expect(res.results.map((r) => [r.status, r.error?.code])).toEqual([
      ['rejected', 'VALIDATION_FAILED'],
      ['rejected', 'VALIDATION_FAILED'],
      ['applied', undefined],
    ]);
    expect(res.results[0]?.error?.message).toMatch(/name/);
    expect(res.results[1]?.error?.message).toMatch(/baseVersion/);
    expect(res.lastAckedMutationId).toBe(3);
    expect(await campaignRow(campaign.id)).toMatchObject({ name: 'Valid', status: 'active' });
  });

  it('stores a change PostgreSQL refuses but the args schema allows as rejected, and moves the queue on', async () => {
    const campaign = await freshCampaign();
    const device = await registeredDevice(t, world.users.operator);
    // z.iso.date() accepts year 0000; PostgreSQL has no year 0 and fails the update with SQLSTATE 22008.
    const yearZero = {
      name: 'campaign.setSchedule',
      args: { campaignId: campaign.id, startDate: '0000-01-01', endDate: null },
    } as const;
    const res = await device.push(yearZero, {
      name: 'campaign.rename',
      args: { campaignId: campaign.id, name: 'After' },
    });
    expect(res.results.map((r) => [r.id, r.status, r.error?.code])).toEqual([
      [1, 'rejected', 'VALIDATION_FAILED'],
      [2, 'applied', undefined],
    ]);
    expect(res.results[0]?.error?.message).toMatch(/cannot store this change.*out of range/);
    expect(res.lastAckedMutationId).toBe(2);
    expect(await campaignRow(campaign.id)).toMatchObject({ name: 'After', start_date: '2026-01-01' });

    const again = await device.push({ id: 1, ...yearZero });
    expect(again.results[0]).toMatchObject({
      id: 1,
      status: 'rejected',
      duplicate: true,
      error: { code: 'VALIDATION_FAILED', message: res.results[0]?.error?.message },
    });
  });

  it('refuses a NUL character in pushed text before it reaches the database', async () => {
    const campaign = await freshCampaign();
    const adCopyId = await addAdCopy(campaign.id);
    const device = await registeredDevice(t, world.users.operator);
    const res = await device.push(
      { name: 'campaign.rename', args: { campaignId: campaign.id, name: 'Bad\u0000name' } },
      { name: 'adCopy.updateText', args: { adCopyId, headline: 'Nul\u0000here' } },
      { name: 'adCopy.updateText', args: { adCopyId, primaryText: 'x\u0000' } },
      { name: 'adCopy.updateText', args: { adCopyId, callToAction: '\u0000Go' } },
    );
    for (const result of res.results) {
      expect(result).toMatchObject({ status: 'rejected', error: { code: 'VALIDATION_FAILED' } });
      expect(result.error?.message).toMatch(/cannot contain NUL/);
    }
    expect(res.lastAckedMutationId).toBe(4);
  });

  it('answers a stale status with CONFLICT and both values', async () => {
    const campaign = await freshCampaign();
    const mine = await registeredDevice(t, world.users.operator);
    const theirs = await registeredDevice(t, world.users.manager);
    const won = await theirs.push({
      name: 'campaign.setStatus',
      args: { campaignId: campaign.id, status: 'paused' },
      baseVersion: 1,
    });
    expect(won.results[0]?.status).toBe('applied');
    const lost = await mine.push({
      name: 'campaign.setStatus',
      args: { campaignId: campaign.id, status: 'completed' },
      baseVersion: 1,
    });
    const result = lost.results[0];
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'CONFLICT' } });
    expect(conflictDetailsSchema.parse(result?.error?.details)).toEqual({
      field: 'status',
      entity: 'campaign',
      entityId: campaign.id,
      yours: 'completed',
      theirs: 'paused',
      serverVersion: 2,
    });
    expect(result?.rows?.campaigns[0]).toMatchObject({ status: 'paused', statusVersion: 2 });
    expect((await campaignRow(campaign.id)).status).toBe('paused');

    // Quoting the server's version overwrites deliberately.
    const resolved = await mine.push({
      name: 'campaign.setStatus',
      args: { campaignId: campaign.id, status: 'completed' },
      baseVersion: 2,
    });
    expect(resolved.results[0]?.status).toBe('applied');
    expect((await campaignRow(campaign.id)).status).toBe('completed');
  });

  it('answers a stale budget with CONFLICT and both budgets', async () => {
    const campaign = await freshCampaign();
    const mine = await registeredDevice(t, world.users.operator);
    await t.db.updateTable('campaigns').set({ budget_micros: 75_000_000 }).where('id', '=', campaign.id).execute();
    const res = await mine.push({
      name: 'campaign.setBudget',
      args: { campaignId: campaign.id, budgetType: 'daily', budgetMicros: 60_000_000 },
      baseVersion: 1,
    });
    expect(res.results[0]?.error?.code).toBe('CONFLICT');
    expect(res.results[0]?.error?.details).toEqual({
      field: 'budget',
      entity: 'campaign',
      entityId: campaign.id,
      yours: { budgetType: 'daily', budgetMicros: 60_000_000 },
      theirs: { budgetType: 'daily', budgetMicros: 75_000_000 },
      serverVersion: 2,
    });
    expect((await campaignRow(campaign.id)).budget_micros).toBe(75_000_000);
  });

  it('lets racing renames resolve by commit order, without a conflict', async () => {
    const campaign = await freshCampaign();
    const a = await registeredDevice(t, world.users.operator);
    const b = await registeredDevice(t, world.users.manager);
    const first = await a.push({ name: 'campaign.rename', args: { campaignId: campaign.id, name: 'From A' } });
    const second = await b.push({ name: 'campaign.rename', args: { campaignId: campaign.id, name: 'From B' } });
    expect([first.results[0]?.status, second.results[0]?.status]).toEqual(['applied', 'applied']);
    expect((await campaignRow(campaign.id)).name).toBe('From B');
  });

  it('turns a budget above the client threshold into an approval request and leaves the budget alone', async () => {
    const client = await t.createClient({ orgId: world.org.id, name: 'Threshold Co' });
    await t.db
      .updateTable('clients')
      .set({ budget_approval_threshold_micros: 100_000_000 })
      .where('id', '=', client.id)
      .execute();
    const campaign = await freshCampaign(client.id);
    const device = await registeredDevice(t, world.users.operator);
    const res = await device.push(
      {
        name: 'campaign.setBudget',
        args: { campaignId: campaign.id, budgetType: 'daily', budgetMicros: 250_000_000 },
        baseVersion: 1,
      },
      {
        name: 'campaign.setBudget',
        args: { campaignId: campaign.id, budgetType: 'daily', budgetMicros: 100_000_000 },
        baseVersion: 1,
      },
    );
    const [overThreshold, atThreshold] = res.results;
    expect(overThreshold).toMatchObject({ status: 'approval_requested', approvalId: expect.any(String) as string });
    expect(atThreshold?.status).toBe('applied');
    const approval = await t.db
      .selectFrom('approvals')
      .selectAll()
      .where('id', '=', overThreshold?.approvalId ?? '')
      .executeTakeFirstOrThrow();
    expect(approval).toMatchObject({
      status: 'pending',
      kind: 'budget_change',
      campaign_id: campaign.id,
      client_id: client.id,
      requested_by: world.users.operator.id,
      payload: {
        budgetType: 'daily',
        budgetMicros: 250_000_000,
        previousBudgetType: 'daily',
        previousBudgetMicros: 50_000_000,
      },
    });
    expect(overThreshold?.rows?.approvals).toEqual([expect.objectContaining({ id: approval.id, status: 'pending' })]);
    expect(overThreshold?.rows?.campaigns[0]?.budgetMicros).toBe(50_000_000);
    expect((await campaignRow(campaign.id)).budget_micros).toBe(100_000_000);
    expect(await auditRows('approval.requested', approval.id)).toHaveLength(1);
  });

  it('answers 426 UPDATE_REQUIRED for a missing, too old, too new or malformed schema version', async () => {
    const headers = await t.authHeader(world.users.operator);
    const payload = { deviceId: newId(), lastMutationId: 0 };
    const cases: [string | undefined, RegExp][] = [
      [undefined, /update KIKI Desktop/],
      ['0', /too old.*update the app/],
      ['99', /ask your admin to update the server/],
      ['one', /update KIKI Desktop/],
    ];
    for (const [version, message] of cases) {
      for (const url of [SYNC_PATHS.register, SYNC_PATHS.push, SYNC_PATHS.pull]) {
        const res = await t.app.inject({
          method: 'POST',
          url,
          headers: version === undefined ? headers : { ...headers, [SYNC_SCHEMA_VERSION_HEADER]: version },
          payload,
        });
        expect(res.statusCode, `${url} with ${String(version)}`).toBe(426);
        const body = res.json<{ error: { code: string; message: string; details: unknown } }>();
        expect(body.error.code).toBe('UPDATE_REQUIRED');
        expect(body.error.message).toMatch(message);
        expect(body.error.details).toEqual({ supported: [SYNC_MIN_SUPPORTED_VERSION, SYNC_PROTOCOL_VERSION] });
      }
    }
  });

  it('applies a mutation once when the same push arrives twice at the same time', async () => {
    const campaign = await freshCampaign();
    const device = await registeredDevice(t, world.users.operator);
    const mutations = [1, 2, 3].map((id) => ({
      id,
      name: 'campaign.rename' as const,
      args: { campaignId: campaign.id, name: `Concurrent ${id}` },
    }));
    const [a, b] = await Promise.all([device.pushRaw(mutations), device.pushRaw(mutations)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const results = [a, b].flatMap(
      (r) => r.json<{ results: { id: number; duplicate: boolean; status: string }[] }>().results,
    );
    expect(results.every((r) => r.status === 'applied')).toBe(true);
    // Each id was applied by exactly one of the two requests and replayed by the other.
    for (const id of [1, 2, 3]) {
      expect(
        results
          .filter((r) => r.id === id)
          .map((r) => r.duplicate)
          .sort(),
      ).toEqual([false, true]);
    }
    expect(await auditRows('campaign.renamed', campaign.id)).toHaveLength(3);
    expect((await campaignRow(campaign.id)).name).toBe('Concurrent 3');
  });

  it('lets exactly one of two simultaneous status changes from the same version win', async () => {
    const campaign = await freshCampaign();
    const a = await registeredDevice(t, world.users.operator);
    const b = await registeredDevice(t, world.users.manager);
    const [ra, rb] = await Promise.all([
      a.push({ name: 'campaign.setStatus', args: { campaignId: campaign.id, status: 'paused' }, baseVersion: 1 }),
      b.push({ name: 'campaign.setStatus', args: { campaignId: campaign.id, status: 'completed' }, baseVersion: 1 }),
    ]);
    const statuses = [ra.results[0]?.status, rb.results[0]?.status].sort();
    expect(statuses).toEqual(['applied', 'rejected']);
    const winner = ra.results[0]?.status === 'applied' ? 'paused' : 'completed';
    const row = await campaignRow(campaign.id);
    expect(row).toMatchObject({ status: winner, status_version: 2 });
    const loser = ra.results[0]?.status === 'rejected' ? ra.results[0] : rb.results[0];
    expect(loser?.error?.details).toMatchObject({ theirs: winner, serverVersion: 2 });
  });

  it('never deadlocks with a metric ingest that holds the agency version and checks the same campaign', async () => {
    const deadlocks = async () =>
      Number(
        (
          await sql<{ n: string }>`
            select deadlocks::text as n from pg_stat_database where datname = current_database()`.execute(t.db)
        ).rows[0]?.n ?? 0,
      );
    const before = await deadlocks();
    const campaign = await seedCampaign(t.db, world.org.id, world.clientA.id, { days: [] });
    const device = await registeredDevice(t, world.users.operator);
    const ingest = await t.db.startTransaction().execute();
    try {
      // As metrics ingest does: take the agency's version (its row lock) first, then write rows whose
      // foreign keys point at the campaign the push is editing.
      await sql`select kiki_sync_version(${world.org.id}::uuid)`.execute(ingest);
      const push = device.push({ name: 'campaign.rename', args: { campaignId: campaign.id, name: 'During ingest' } });
      await new Promise((r) => setTimeout(r, 300));
      await ingest
        .insertInto('performance_metrics')
        .values({
          org_id: world.org.id,
          platform: 'meta',
          ad_id: campaign.adId,
          date: '2026-03-02',
          client_id: world.clientA.id,
          campaign_id: campaign.id,
        })
        .execute();
      await ingest.commit().execute();
      expect((await push).results[0]?.status).toBe('applied');
    } finally {
      if (!ingest.isCommitted && !ingest.isRolledBack) await ingest.rollback().execute();
    }
    // Statistics reach pg_stat_database when a backend reports them; give it a moment before concluding.
    await sql`select pg_stat_force_next_flush()`.execute(t.db).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await deadlocks()).toBe(before);
  });
});
