import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../../server/tests/helpers/test-database';
import { createTestDatabase } from '../../../server/tests/helpers/test-database';
import { removeTempDirs, startDesktop, waitFor, waitForSynced, type Desktop } from '../sync-harness';
import {
  auditChainProblems,
  localCatalog,
  localDeviceId,
  localHighestMutationId,
  mutationLedger,
  oneTo,
  seedEditWorld,
  serverCatalog,
  signInAt,
} from './fault-harness';
import { CHILD_SERVER_SECRETS, serverProcess, type ServerProcess } from './server-process';

/*
 * The team server dies or restarts while a desktop pushes a long queue. Each mutation is its own PostgreSQL
 * transaction (change + result row + audit row), so whatever the server had committed when it went away stays,
 * whatever it had not is rolled back, and the device, which only deletes outbox rows the server acknowledged,
 * resends the rest. The server answers the resent ids it already has from its stored results.
 */
const EDITS = 260;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => removeTempDirs());

async function setUp() {
  const database: TestDatabase = await createTestDatabase();
  cleanups.push(() => database.destroy());
  const world = await seedEditWorld(database.db, {
    campaigns: 3,
    copiesPerCampaign: 2,
    editors: 1,
    totpKey: CHILD_SERVER_SECRETS.totpKey,
  });
  const server = await serverProcess(database.url);
  cleanups.push(() => server.kill('SIGKILL'));
  await server.start();
  const desktop = await startDesktop();
  cleanups.push(() => Promise.resolve(desktop.close()));
  const editor = world.editors[0];
  if (editor === undefined) throw new Error('no editor');
  await signInAt(desktop, server.url, editor);
  await waitForSynced(desktop, 'the first sync');
  const seeded = await serverCatalog(database.db, world.orgId);
  return { database, world, server, desktop, seeded };
}

/** A long offline queue: renames and copy edits in turn, each one a distinct value so every one is a mutation. */
async function queueEdits(desktop: Desktop, world: { campaignIds: string[]; adCopyIds: string[] }): Promise<void> {
  desktop.net.offline = true;
  for (let i = 0; i < EDITS; i++) {
    if (i % 2 === 0) {
      const campaignId = world.campaignIds[(i / 2) % world.campaignIds.length] ?? '';
      await desktop.handlers['campaigns.update']({ campaignId, changes: { name: `Queued rename ${i}` } });
    } else {
      const adCopyId = world.adCopyIds[i % world.adCopyIds.length] ?? '';
      await desktop.handlers['adCopies.update']({ adCopyId, changes: { headline: `Queued headline ${i}` } });
    }
  }
  expect((await desktop.handlers['sync.status']({})).pendingCount).toBe(EDITS);
}

async function resultCount(database: TestDatabase, deviceId: string): Promise<number> {
  const row = await database.db
    .selectFrom('sync_mutation_results')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('device_id', '=', deviceId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Goes online and waits until the server has committed at least `atLeast` of the queue, then hits it. */
async function interruptPush(
  database: TestDatabase,
  server: ServerProcess,
  desktop: Desktop,
  signal: NodeJS.Signals,
): Promise<number> {
  const deviceId = localDeviceId(desktop);
  desktop.net.offline = false;
  const syncing = desktop.handlers['sync.now']({});
  await waitFor(async () => (await resultCount(database, deviceId)) >= 40, 'the push to be under way', 30_000);
  await server.kill(signal);
  const committed = await resultCount(database, deviceId);
  await syncing;
  return committed;
}

async function expectEverythingOnce(
  database: TestDatabase,
  orgId: string,
  desktop: Desktop,
  seeded: Awaited<ReturnType<typeof serverCatalog>>,
): Promise<void> {
  const deviceId = localDeviceId(desktop);
  const ledger = await mutationLedger(database.db, orgId, [deviceId]);
  expect(ledger.problems).toEqual([]);
  expect(localHighestMutationId(desktop)).toBe(EDITS);
  expect(ledger.idsByDevice.get(deviceId)).toEqual(oneTo(EDITS));
  expect(ledger.results.every((r) => r.status === 'applied')).toBe(true);
  const truth = await serverCatalog(database.db, orgId);
  expect(localCatalog(desktop)).toEqual(truth);
  // The queue's last values won: the resent part landed after the part committed before the crash.
  expect(truth.campaigns.map((c) => c.name).sort()).toEqual(
    [EDITS - 6, EDITS - 4, EDITS - 2].map((i) => `Queued rename ${i}`).sort(),
  );
  expect(await auditChainProblems(database.db, orgId, seeded, truth)).toEqual([]);
}

describe('team server faults during a push', () => {
  it('kill -9 of the server mid-push: after a restart every queued mutation is applied exactly once', async () => {
    const { database, world, server, desktop, seeded } = await setUp();
    await queueEdits(desktop, world);
    const committed = await interruptPush(database, server, desktop, 'SIGKILL');
    // The kill really landed in the middle: some of the queue was in, some was not.
    expect(committed).toBeGreaterThanOrEqual(40);
    expect(committed).toBeLessThan(EDITS);
    const afterCrash = await desktop.handlers['sync.status']({});
    expect(afterCrash.pendingCount).toBeGreaterThan(0);
    expect(afterCrash.lastError?.code).toBe('UNAVAILABLE');

    await server.start();
    // No sync.now: the device finds the server again by itself (retry timer, live socket reconnect).
    await waitFor(
      async () => {
        const s = await desktop.handlers['sync.status']({});
        return s.pendingCount === 0 && s.lastError === null && !s.syncing;
      },
      'the device to resume on its own',
      60_000,
    );
    await expectEverythingOnce(database, world.orgId, desktop, seeded);
  });

  it('graceful restart (SIGTERM) mid-push: the device resumes and nothing is lost or doubled', async () => {
    const { database, world, server, desktop, seeded } = await setUp();
    await queueEdits(desktop, world);
    const committed = await interruptPush(database, server, desktop, 'SIGTERM');
    expect(committed).toBeGreaterThanOrEqual(40);
    expect(server.running()).toBe(false);

    await server.start();
    await waitFor(
      async () => {
        const s = await desktop.handlers['sync.status']({});
        return s.pendingCount === 0 && s.lastError === null && !s.syncing;
      },
      'the device to resume on its own',
      60_000,
    );
    await expectEverythingOnce(database, world.orgId, desktop, seeded);
  });
});
