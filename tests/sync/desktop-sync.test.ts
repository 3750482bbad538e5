import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { hashRecoveryCode } from '../../server/src/auth/recovery-codes';
import type { TestUser } from '../../server/tests/helpers/factories';
import { seedAgency, type AgencyWorld } from '../../server/tests/helpers/world';
import {
  desktopFilesBytes,
  localRows,
  removeTempDirs,
  startDesktop,
  startTeamServer,
  waitFor,
  waitForSynced,
  type Desktop,
  type TeamServer,
} from './sync-harness';

let server: TeamServer;
let world: AgencyWorld;
const desktops: Desktop[] = [];

beforeAll(async () => {
  server = await startTeamServer();
  world = await seedAgency(server.t, 'Northwind');
});

afterEach(() => {
  for (const desktop of desktops.splice(0)) desktop.close();
});

afterAll(async () => {
  await server.stop();
  removeTempDirs();
});

async function desktopFor(user: TestUser): Promise<Desktop> {
  const desktop = await startDesktop();
  desktops.push(desktop);
  await desktop.signIn(server, user);
  await waitForSynced(desktop, `${user.email}'s first sync`);
  return desktop;
}

/** An operator of their own, so TOTP steps and sessions never collide between tests. */
async function newUser(
  role: 'operator' | 'manager' | 'analyst',
  options: { mfa?: boolean; clientIds?: string[] } = {},
) {
  return server.t.createUser({
    orgId: world.org.id,
    role,
    clientIds: options.clientIds ?? null,
    mfa: options.mfa ?? false,
    email: `${role}-${newId().slice(-8)}@northwind.test`,
  });
}

function localCampaign(desktop: Desktop, id: string) {
  return localRows<{ name: string; status: string; budget_micros: number; budget_type: string }>(
    desktop,
    'SELECT name, status, budget_micros, budget_type FROM campaigns WHERE id = ?',
    id,
  )[0];
}

async function serverCampaign(id: string) {
  return server.t.db
    .selectFrom('campaigns')
    .select(['name', 'status', 'budget_micros', 'budget_type'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('desktop sync against a real team server', () => {
  it('signs in with a TOTP code; the refresh token lives only in the vault, never on disk or in events', async () => {
    const user = await newUser('operator', { mfa: true });
    const desktop = await startDesktop();
    desktops.push(desktop);
    await desktop.signIn(server, user);
    const session = await desktop.handlers['session.get']({});
    expect(session).toMatchObject({
      state: 'signedIn',
      serverUrl: server.url,
      user: { id: user.id, email: user.email },
      org: { id: world.org.id, name: 'Northwind' },
      roles: [{ role: 'operator', clientIds: null }],
    });
    await waitForSynced(desktop);
    expect([...desktop.vault.entries.keys()]).toEqual([`sync:${server.url}:${user.id}:refresh`]);
    const refreshToken = [...desktop.vault.entries.values()][0] ?? '';
    expect(refreshToken.length).toBeGreaterThan(16);
    // Force the WAL's pages into the main file too, then look at every byte core wrote.
    expect(desktopFilesBytes(desktop).includes(Buffer.from(refreshToken))).toBe(false);
    const emitted = JSON.stringify(desktop.events);
    expect(emitted).not.toContain(refreshToken);
    expect(emitted).not.toMatch(/"accessToken"|Bearer /);
    // And the synced data arrived: both clients and their campaigns.
    const campaigns = localRows<{ id: string }>(desktop, 'SELECT id FROM campaigns ORDER BY id');
    expect(campaigns.map((c) => c.id).sort()).toEqual([world.campaignA.id, world.campaignB.id].sort());
  });

  it('signs in with a recovery code instead of the authenticator', async () => {
    const user = await newUser('manager', { mfa: true });
    await server.t.db
      .insertInto('recovery_codes')
      .values({
        id: newId(),
        org_id: world.org.id,
        user_id: user.id,
        code_hash: hashRecoveryCode('7k2m-9xqa-3hbd-p0wz'),
      })
      .execute();
    const desktop = await startDesktop();
    desktops.push(desktop);
    const first = await desktop.handlers['session.signIn']({
      serverUrl: server.url,
      email: user.email,
      password: user.password,
    });
    expect(first.step).toBe('mfa');
    const session = await desktop.handlers['session.verifyMfa']({ recoveryCode: '7K2M 9XQA 3HBD P0WZ' });
    expect(session).toMatchObject({ state: 'signedIn', user: { id: user.id } });
    expect(desktop.vault.entries.size).toBe(1);
  });

  it('keeps edits made offline and pushes them in order when the connection is back', async () => {
    const desktop = await desktopFor(await newUser('operator'));
    desktop.net.offline = true;
    await desktop.handlers['campaigns.update']({ campaignId: world.campaignA.id, changes: { name: 'Offline one' } });
    await desktop.handlers['campaigns.update']({ campaignId: world.campaignA.id, changes: { name: 'Offline two' } });
    await desktop.handlers['campaigns.update']({ campaignId: world.campaignA.id, changes: { status: 'paused' } });
    const offline = await desktop.handlers['sync.now']({});
    expect(offline.pendingCount).toBe(3);
    expect(offline.lastError?.code).toBe('UNAVAILABLE');
    expect(offline.nextRetryAt).not.toBeNull();
    expect(localCampaign(desktop, world.campaignA.id)).toMatchObject({ name: 'Offline two', status: 'paused' });
    expect((await serverCampaign(world.campaignA.id)).name).not.toBe('Offline two');

    desktop.net.offline = false;
    const online = await desktop.handlers['sync.now']({});
    expect(online).toMatchObject({ pendingCount: 0, lastError: null });
    // The last rename wins on the server because the renames arrived in the order they were made.
    expect(await serverCampaign(world.campaignA.id)).toMatchObject({ name: 'Offline two', status: 'paused' });
    const results = await server.t.db
      .selectFrom('sync_mutation_results')
      .select(['mutation_id', 'status'])
      .orderBy('created_at')
      .orderBy('mutation_id')
      .execute();
    const mine = results.slice(-3);
    expect(mine.map((r) => Number(r.mutation_id))).toEqual(
      [...mine.map((r) => Number(r.mutation_id))].sort((a, b) => a - b),
    );
    expect(mine.every((r) => r.status === 'applied')).toBe(true);
  });

  it("shows a teammate's change through a live poke, without anyone calling sync.now", async () => {
    const ana = await desktopFor(await newUser('operator'));
    const ben = await desktopFor(await newUser('operator'));
    await waitFor(async () => (await ben.handlers['sync.status']({})).connection === 'online', 'live socket');
    const name = `Poked ${newId().slice(-6)}`;
    await ana.handlers['campaigns.update']({ campaignId: world.campaignB.id, changes: { name } });
    const started = Date.now();
    await waitFor(() => localCampaign(ben, world.campaignB.id)?.name === name, "the teammate's rename", 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("shows a budget conflict with both values, and 'mine' wins after resolving", async () => {
    const ana = await desktopFor(await newUser('operator'));
    const ben = await desktopFor(await newUser('operator'));
    ben.net.offline = true;
    await ana.handlers['campaigns.update']({
      campaignId: world.campaignA.id,
      changes: { budgetType: 'daily', budgetMicros: 70_000_000 },
    });
    await ana.handlers['sync.now']({});
    await ben.handlers['campaigns.update']({
      campaignId: world.campaignA.id,
      changes: { budgetType: 'daily', budgetMicros: 90_000_000 },
    });
    ben.net.offline = false;
    const status = await ben.handlers['sync.now']({});
    expect(status.issueCount).toBe(1);
    const { issues } = await ben.handlers['sync.issues']({});
    expect(issues).toHaveLength(1);
    const issue = issues[0];
    expect(issue).toMatchObject({ kind: 'conflict', error: { code: 'CONFLICT' }, entity: { type: 'campaign' } });
    expect(issue?.yours).toMatch(/90/);
    expect(issue?.theirs).toMatch(/70/);
    // Until resolved, the device shows the server's value.
    expect(localCampaign(ben, world.campaignA.id)?.budget_micros).toBe(70_000_000);

    await ben.handlers['sync.resolveIssue']({ mutationId: issue?.mutationId ?? 0, choice: 'mine' });
    await ben.handlers['sync.now']({});
    expect((await serverCampaign(world.campaignA.id)).budget_micros).toBe(90_000_000);
    expect((await ben.handlers['sync.issues']({})).issues).toEqual([]);
  });

  it('rolls back a change the server refuses (an analyst cannot edit) and says why', async () => {
    const analyst = await desktopFor(await newUser('analyst'));
    const before = (await serverCampaign(world.campaignB.id)).name;
    await analyst.handlers['campaigns.update']({ campaignId: world.campaignB.id, changes: { name: 'Not allowed' } });
    expect(localCampaign(analyst, world.campaignB.id)?.name).toBe('Not allowed');
    const status = await analyst.handlers['sync.now']({});
    expect(status).toMatchObject({ pendingCount: 0, issueCount: 1 });
    const { issues } = await analyst.handlers['sync.issues']({});
    expect(issues[0]).toMatchObject({ kind: 'rejected', error: { code: 'FORBIDDEN' } });
    expect(issues[0]?.error.message.length).toBeGreaterThan(10);
    expect(localCampaign(analyst, world.campaignB.id)?.name).toBe(before);
    expect((await serverCampaign(world.campaignB.id)).name).toBe(before);
  });

  it("removes a client's data from the device when access to it is revoked", async () => {
    const user = await newUser('operator', { clientIds: [world.clientA.id, world.clientB.id] });
    const desktop = await desktopFor(user);
    const clientsBefore = localRows<{ id: string }>(desktop, 'SELECT id FROM clients').map((c) => c.id);
    expect(clientsBefore.sort()).toEqual([world.clientA.id, world.clientB.id].sort());
    await waitFor(
      () => localRows<{ n: number }>(desktop, 'SELECT COUNT(*) AS n FROM metrics_daily')[0]?.n === 2,
      'both clients metrics',
    );

    await server.t.db
      .updateTable('memberships')
      .set({ client_ids: [world.clientA.id] })
      .where('user_id', '=', user.id)
      .execute();
    await desktop.handlers['sync.now']({});
    expect(localRows<{ id: string }>(desktop, 'SELECT id FROM clients').map((c) => c.id)).toEqual([world.clientA.id]);
    expect(localRows(desktop, 'SELECT id FROM campaigns WHERE client_id = ?', world.clientB.id)).toEqual([]);
    expect(localRows(desktop, 'SELECT ad_id FROM metrics_daily WHERE client_id = ?', world.clientB.id)).toEqual([]);
  });

  it('keeps pending edits across a restart of core and syncs them afterwards', async () => {
    const first = await desktopFor(await newUser('operator'));
    first.net.offline = true;
    await first.handlers['campaigns.update']({ campaignId: world.campaignB.id, changes: { name: 'Survives restart' } });
    expect((await first.handlers['sync.status']({})).pendingCount).toBe(1);

    const restarted = await first.restart();
    desktops.splice(desktops.indexOf(first), 1, restarted);
    expect((await restarted.handlers['session.get']({})).state).toBe('signedIn');
    expect((await restarted.handlers['sync.status']({})).pendingCount).toBe(1);
    restarted.net.offline = false;
    await restarted.handlers['sync.now']({});
    expect((await restarted.handlers['sync.status']({})).pendingCount).toBe(0);
    expect((await serverCampaign(world.campaignB.id)).name).toBe('Survives restart');
  });

  it('moves to a new device id when the server has lost track of this one (SYNC_GAP), losing no edit', async () => {
    const user = await newUser('operator');
    const desktop = await desktopFor(user);
    await desktop.handlers['campaigns.update']({ campaignId: world.campaignA.id, changes: { name: 'Before gap' } });
    await desktop.handlers['sync.now']({});
    // As after restoring a server backup taken before this device's edits.
    await server.t.db.updateTable('sync_devices').set({ last_mutation_id: 0 }).where('user_id', '=', user.id).execute();
    await desktop.handlers['campaigns.update']({ campaignId: world.campaignA.id, changes: { name: 'After gap' } });
    const status = await desktop.handlers['sync.now']({});
    expect(status).toMatchObject({ pendingCount: 0, lastError: null });
    expect((await serverCampaign(world.campaignA.id)).name).toBe('After gap');
    const devices = await server.t.db
      .selectFrom('sync_devices')
      .select(['id', 'last_mutation_id'])
      .where('user_id', '=', user.id)
      .execute();
    expect(devices).toHaveLength(2);
    expect(devices.map((d) => Number(d.last_mutation_id)).sort()).toEqual([0, 2]);
  });

  it('shows a clear "update required" error when the server no longer supports this app', async () => {
    const desktop = await desktopFor(await newUser('operator'));
    desktop.net.schemaVersion = '0';
    await desktop.handlers['campaigns.update']({ campaignId: world.campaignA.id, changes: { name: 'Old app edit' } });
    const status = await desktop.handlers['sync.now']({});
    expect(status.lastError?.code).toBe('UPDATE_REQUIRED');
    expect(status.lastError?.message).toMatch(/update/i);
    expect(status.pendingCount).toBe(1);
    expect(status.nextRetryAt).toBeNull();
  });
});
