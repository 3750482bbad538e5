import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTeamServer, waitFor, type TeamServer } from '../sync-harness';
import { startCoreProcess, type CoreProcess } from './core-process';
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
} from './fault-harness';

/*
 * kill -9 of the desktop core in the middle of an outbox flush. The core runs in a child process on a real data
 * folder; its refresh token is in a file playing the OS keychain (see core-child.ts), so the restarted core
 * resumes its session without a new sign-in, as the app does after a crash. The outbox row is deleted only in the
 * transaction that records the server's acknowledgement, so whatever the kill interrupted is simply sent again.
 */
const EDITS = 260;

let server: TeamServer;
const dirs: string[] = [];
beforeAll(async () => {
  server = await startTeamServer();
});
afterAll(async () => {
  await server.stop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function settled(core: CoreProcess): Promise<boolean> {
  const s = await core.call('sync.status', {});
  return s.pendingCount === 0 && s.lastError === null && !s.syncing && s.lastSyncedAt !== null;
}

describe('desktop core faults', () => {
  it('kill -9 of the core mid-flush: after a restart on the same folder every pending edit reaches the server once', async () => {
    const world = await seedEditWorld(server.t.db, {
      campaigns: 3,
      copiesPerCampaign: 2,
      editors: 1,
      totpKey: server.t.config.totpEncryptionKey,
    });
    const editor = world.editors[0];
    if (editor === undefined) throw new Error('no editor');
    const seeded = await serverCatalog(server.t.db, world.orgId);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kiki-core-kill-'));
    dirs.push(home);
    const folder = { dataDir: path.join(home, 'data') };
    const vaultFile = path.join(home, 'keychain.json');

    const first = await startCoreProcess(folder.dataDir, vaultFile);
    let restarted: CoreProcess | null = null;
    try {
      const signedIn = await first.call('session.signIn', {
        serverUrl: server.url,
        email: editor.email,
        password: editor.password,
      });
      expect(signedIn.step).toBe('done');
      await waitFor(() => settled(first), 'the first sync', 30_000);

      await first.setOffline(true);
      for (let i = 0; i < EDITS; i++) {
        if (i % 2 === 0) {
          const campaignId = world.campaignIds[(i / 2) % world.campaignIds.length] ?? '';
          await first.call('campaigns.update', { campaignId, changes: { name: `Before the crash ${i}` } });
        } else {
          const adCopyId = world.adCopyIds[i % world.adCopyIds.length] ?? '';
          await first.call('adCopies.update', { adCopyId, changes: { primaryText: `Crash-proof text ${i}` } });
        }
      }
      const deviceId = localDeviceId(folder);
      await first.setOffline(false);
      const flush = first.call('sync.now', {}).catch((error: unknown) => error);
      const countResults = async () =>
        Number(
          (
            await server.t.db
              .selectFrom('sync_mutation_results')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('device_id', '=', deviceId)
              .executeTakeFirstOrThrow()
          ).n,
        );
      await waitFor(async () => (await countResults()) >= 40, 'the flush to be under way', 30_000);
      await first.kill9();
      expect(await flush).toBeInstanceOf(Error);

      // What the crash left on disk: an outbox the server has not acknowledged all of.
      const left = localRows<{ n: number }>(folder, 'SELECT COUNT(*) AS n FROM outbox')[0]?.n ?? 0;
      expect(left).toBeGreaterThan(0);
      expect(localHighestMutationId(folder)).toBe(EDITS);
      // The server finishes the request the dead core sent; once it is done, it holds mutations the device never
      // heard back about, so the restart must go through the server's replay of stored results.
      let serverHas = -1;
      await waitFor(async () => {
        const now = await countResults();
        const stable = now === serverHas;
        serverHas = now;
        if (!stable) await new Promise((resolve) => setTimeout(resolve, 300));
        return stable;
      }, 'the server to finish the push of the dead core');
      expect(serverHas).toBeGreaterThan(EDITS - left);

      restarted = await startCoreProcess(folder.dataDir, vaultFile);
      expect((await restarted.call('session.get', {})).state).toBe('signedIn');
      // No sync.now: a restarted core resumes its queue by itself.
      const core = restarted;
      await waitFor(() => settled(core), 'the restarted core to drain its outbox', 60_000);

      const ledger = await mutationLedger(server.t.db, world.orgId, [deviceId]);
      expect(ledger.problems).toEqual([]);
      expect(localDeviceId(folder)).toBe(deviceId);
      expect(ledger.idsByDevice.get(deviceId)).toEqual(oneTo(EDITS));
      expect(ledger.results.every((r) => r.status === 'applied')).toBe(true);
      expect(localRows(folder, 'SELECT mutation_id FROM outbox')).toEqual([]);
      const truth = await serverCatalog(server.t.db, world.orgId);
      expect(truth.campaigns.map((c) => c.name).sort()).toEqual(
        [EDITS - 6, EDITS - 4, EDITS - 2].map((i) => `Before the crash ${i}`).sort(),
      );
      expect(localCatalog(folder)).toEqual(truth);
      expect(await auditChainProblems(server.t.db, world.orgId, seeded, truth)).toEqual([]);
    } finally {
      await first.kill9();
      await restarted?.stop();
    }
  });
});
