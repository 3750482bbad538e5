import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushResponseSchema } from '@kiki/shared/sync/sync-protocol';
import {
  removeTempDirs,
  startDesktop,
  startTeamServer,
  waitFor,
  waitForSynced,
  type TeamServer,
} from '../sync-harness';
import {
  localCatalog,
  localDeviceId,
  mutationLedger,
  oneTo,
  seedEditWorld,
  serverCatalog,
  signInAt,
} from './fault-harness';
import { lostAckProxy } from './lost-ack-proxy';

let server: TeamServer;
beforeAll(async () => {
  server = await startTeamServer();
});
afterAll(async () => {
  await server.stop();
  removeTempDirs();
});

describe('a lost acknowledgement', () => {
  it('the device resends, the server replays its stored results (duplicate: true) and applies nothing twice', async () => {
    const world = await seedEditWorld(server.t.db, {
      campaigns: 2,
      copiesPerCampaign: 1,
      editors: 1,
      totpKey: server.t.config.totpEncryptionKey,
    });
    const [campaignA = '', campaignB = ''] = world.campaignIds;
    const [copyA = ''] = world.adCopyIds;
    const proxy = await lostAckProxy(Number(new URL(server.url).port));
    const desktop = await startDesktop();
    try {
      const editor = world.editors[0];
      if (editor === undefined) throw new Error('no editor');
      await signInAt(desktop, proxy.url, editor);
      await waitForSynced(desktop, 'the first sync');

      desktop.net.offline = true;
      await desktop.handlers['campaigns.update']({ campaignId: campaignA, changes: { name: 'Acked late' } });
      await desktop.handlers['campaigns.update']({ campaignId: campaignA, changes: { status: 'paused' } });
      await desktop.handlers['adCopies.update']({ adCopyId: copyA, changes: { headline: 'Resent headline' } });
      await desktop.handlers['campaigns.update']({
        campaignId: campaignB,
        changes: { budgetType: 'daily', budgetMicros: 81_000_000 },
      });
      // A teammate changes campaign B's budget first, so the device's budget comes back as a conflict: its
      // refusal must be replayed as faithfully as the applied ones.
      await server.t.db
        .updateTable('campaigns')
        .set({ budget_micros: 64_000_000 })
        .where('id', '=', campaignB)
        .execute();

      proxy.dropPushAnswers(1);
      desktop.net.offline = false;
      // Whether this sync.now or a retry it queued does the resend is the engine's business; the relay sees both.
      await desktop.handlers['sync.now']({});
      await waitFor(() => proxy.dropped.length === 1, 'the push whose answer is lost');
      const lost = pushResponseSchema.parse(proxy.dropped[0]);
      expect(lost.results.map((r) => [r.id, r.status, r.duplicate])).toEqual([
        [1, 'applied', false],
        [2, 'applied', false],
        [3, 'applied', false],
        [4, 'rejected', false],
      ]);

      // The device retries on its own (backoff timer or the live socket's reconnect).
      await waitForSynced(desktop, 'the resend after the lost answer');
      const replayed = pushResponseSchema.parse(proxy.delivered.at(-1));
      expect(replayed.results.map((r) => [r.id, r.status, r.duplicate, r.error?.code])).toEqual([
        [1, 'applied', true, undefined],
        [2, 'applied', true, undefined],
        [3, 'applied', true, undefined],
        [4, 'rejected', true, 'CONFLICT'],
      ]);
      expect(replayed.lastAckedMutationId).toBe(4);

      const deviceId = localDeviceId(desktop);
      const ledger = await mutationLedger(server.t.db, world.orgId, [deviceId]);
      expect(ledger.problems).toEqual([]);
      expect(ledger.idsByDevice.get(deviceId)).toEqual(oneTo(4));
      const statusChanges = await server.t.db
        .selectFrom('audit_log')
        .select('id')
        .where('org_id', '=', world.orgId)
        .where('action', '=', 'campaign.status_changed')
        .execute();
      expect(statusChanges).toHaveLength(1);
      const truth = await serverCatalog(server.t.db, world.orgId);
      expect(truth.campaigns.find((c) => c.id === campaignA)).toMatchObject({
        name: 'Acked late',
        status: 'paused',
        status_version: 2,
      });
      expect(truth.campaigns.find((c) => c.id === campaignB)?.budget_micros).toBe(64_000_000);
      expect(truth.adCopies.find((c) => c.id === copyA)?.headline).toBe('Resent headline');
      expect(localCatalog(desktop)).toEqual(truth);
      // The conflict is shown once, not once per delivery.
      await waitFor(async () => (await desktop.handlers['sync.status']({})).issueCount === 1, 'one issue');
      const { issues } = await desktop.handlers['sync.issues']({});
      expect(issues.map((i) => [i.mutationId, i.kind])).toEqual([[4, 'conflict']]);
    } finally {
      desktop.close();
      await proxy.close();
    }
  });
});
