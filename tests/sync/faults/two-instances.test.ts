import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../server/tests/helpers/test-database';
import { removeTempDirs, startDesktop, waitFor, waitForSynced, type Desktop } from '../sync-harness';
import {
  auditChainProblems,
  localCatalog,
  localDeviceId,
  localHighestMutationId,
  localRows,
  mutationLedger,
  oneTo,
  seedEditWorld,
  serverCatalog,
  signInAt,
} from './fault-harness';
import { CHILD_SERVER_SECRETS, serverProcess, type ServerProcess } from './server-process';

/*
 * Two server processes on one PostgreSQL database, as behind a load balancer, with one desktop on each. A change
 * pushed through one instance commits a NOTIFY; the other instance's LISTEN connection hears it and pokes its own
 * sockets, so the desktop there pulls without anyone asking. Pushes racing through both instances are serialized
 * by PostgreSQL row locks, not by anything in one process.
 */
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  removeTempDirs();
});

/** One sample from an instance's Prometheus endpoint (loopback may scrape without a token). */
async function metric(instance: ServerProcess, name: string): Promise<number> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} is not on ${instance.url}/metrics`);
  return Number(line.slice(name.length + 1));
}

function localName(desktop: Desktop, campaignId: string): string | undefined {
  return localRows<{ name: string }>(desktop, 'SELECT name FROM campaigns WHERE id = ?', campaignId)[0]?.name;
}

describe('two server instances on one database', () => {
  it('edits reach the desktop on the other instance live, and concurrent pushes lose and double nothing', async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanups.push(() => database.destroy());
    const world = await seedEditWorld(database.db, {
      campaigns: 3,
      copiesPerCampaign: 2,
      editors: 2,
      totpKey: CHILD_SERVER_SECRETS.totpKey,
    });
    const seeded = await serverCatalog(database.db, world.orgId);
    const instances: ServerProcess[] = [await serverProcess(database.url), await serverProcess(database.url)];
    for (const instance of instances) cleanups.push(() => instance.kill('SIGKILL'));
    await Promise.all(instances.map((i) => i.start()));

    const desktops: Desktop[] = [];
    for (const [i, instance] of instances.entries()) {
      const desktop = await startDesktop();
      desktops.push(desktop);
      cleanups.push(() => Promise.resolve(desktop.close()));
      const editor = world.editors[i];
      if (editor === undefined) throw new Error('no editor');
      await signInAt(desktop, instance.url, editor);
      await waitForSynced(desktop, `desktop ${i}'s first sync`);
    }
    const [one, two] = desktops as [Desktop, Desktop];
    // Each instance holds exactly its own desktop's live socket before anything changes.
    for (const instance of instances) {
      await waitFor(async () => (await metric(instance, 'kiki_live_connections')) === 1, 'live sockets', 15_000);
    }

    // Live, both ways, with no sync.now on the receiving side.
    const [c0 = '', c1 = '', c2 = ''] = world.campaignIds;
    const [first, second] = instances as [ServerProcess, ServerProcess];
    const pokesBefore = await metric(second, 'kiki_live_pokes_total');
    await one.handlers['campaigns.update']({ campaignId: c0, changes: { name: 'From instance one' } });
    await waitFor(() => localName(two, c0) === 'From instance one', 'the rename to reach desktop two', 10_000);
    // The push went through instance one; the poke that made desktop two pull came from instance two.
    expect(await metric(second, 'kiki_live_pokes_total')).toBeGreaterThan(pokesBefore);
    const pokesBeforeFirst = await metric(first, 'kiki_live_pokes_total');
    await two.handlers['campaigns.update']({ campaignId: c1, changes: { name: 'From instance two' } });
    await waitFor(() => localName(one, c1) === 'From instance two', 'the rename to reach desktop one', 10_000);
    expect(await metric(first, 'kiki_live_pokes_total')).toBeGreaterThan(pokesBeforeFirst);

    // Concurrent pushes: both queue offline, then flush at the same moment through different instances.
    for (const desktop of desktops) desktop.net.offline = true;
    for (let i = 0; i < 80; i++) {
      for (const [d, desktop] of desktops.entries()) {
        const campaignId = [c0, c1, c2][i % 3] ?? '';
        if (i % 4 === 3) {
          const adCopyId = world.adCopyIds[(i + d) % world.adCopyIds.length] ?? '';
          await desktop.handlers['adCopies.update']({ adCopyId, changes: { callToAction: `CTA ${d}-${i}` } });
        } else if (i % 10 === 5) {
          await desktop.handlers['campaigns.update']({
            campaignId,
            changes: { status: d === 0 ? 'paused' : 'active' },
          });
        } else {
          await desktop.handlers['campaigns.update']({ campaignId, changes: { name: `Race ${d}-${i}` } });
        }
      }
    }
    for (const desktop of desktops) desktop.net.offline = false;
    await Promise.all(desktops.map(async (d) => await d.handlers['sync.now']({})));
    // Settle: everything pushed, and each has pulled the other's last changes.
    for (let round = 0; round < 5; round++) {
      for (const desktop of desktops) await desktop.handlers['sync.now']({});
    }
    for (const desktop of desktops) await waitForSynced(desktop);

    const truth = await serverCatalog(database.db, world.orgId);
    expect(localCatalog(one)).toEqual(truth);
    expect(localCatalog(two)).toEqual(truth);
    const deviceIds = desktops.map(localDeviceId);
    const ledger = await mutationLedger(database.db, world.orgId, deviceIds);
    expect(ledger.problems).toEqual([]);
    for (const [i, desktop] of desktops.entries()) {
      expect(ledger.idsByDevice.get(deviceIds[i] ?? '')).toEqual(oneTo(localHighestMutationId(desktop)));
    }
    // Status races between the two are conflicts the users see; everything else applied.
    const refused = ledger.results.filter((r) => r.status === 'rejected');
    expect(refused.every((r) => r.code === 'CONFLICT')).toBe(true);
    const shown =
      (await one.handlers['sync.issues']({})).issues.length + (await two.handlers['sync.issues']({})).issues.length;
    expect(shown).toBe(refused.length);
    expect(await auditChainProblems(database.db, world.orgId, seeded, truth)).toEqual([]);
  });
});
