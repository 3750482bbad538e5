import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { openDatabase, type AppDatabase } from '../db/open-database';
import { createMetricsIngest } from '../services/metrics-ingest.repository';
import { createLocalEdits } from './local-edits.service';
import { countPending } from './outbox.repository';
import { applyPullPage } from './pull-apply';
import { resetSyncedData } from './sync-reset';
import { getSyncState } from './sync-state.repository';
import { readCampaign } from './synced-rows.repository';
import {
  count,
  emptyChanges,
  expectRollupsExact,
  pullPage,
  serverAd,
  serverCampaign,
  serverClient,
  serverDeployment,
  signIn,
  T0,
} from './sync-test-helpers';

const NOW = new Date('2026-03-01T10:00:00.000Z');
let handle: AppDatabase;

beforeEach(async () => {
  handle = await openDatabase({ filename: ':memory:' });
  signIn(handle.sqlite);
});
afterEach(async () => {
  await handle.close();
});

/** One client with a campaign, a deployment, an ad with a copy and prompts, an approval, and a few metric days. */
function seedClient(name: string, currency = 'USD') {
  const client = serverClient({ name, currency });
  const campaign = serverCampaign(client.id, { name: `${name} Campaign`, currency, platforms: ['meta', 'tiktok'] });
  const deployment = serverDeployment(campaign.id);
  const copyId = newId();
  const ad = serverAd(deployment, { adCopyId: copyId });
  const changes = {
    ...emptyChanges(),
    // Children listed before parents inside the page do not matter: the applier orders by entity kind.
    approvals: [
      {
        id: newId(),
        clientId: client.id,
        campaignId: campaign.id,
        kind: 'budget_change' as const,
        status: 'pending' as const,
        requestedBy: newId(),
        decidedBy: null,
        payload: { budgetMicros: 5 },
        reason: 'more reach',
        createdAt: T0,
        decidedAt: null,
      },
    ],
    ads: [ad],
    deployments: [deployment],
    adCopies: [
      {
        id: copyId,
        campaignId: campaign.id,
        variantLabel: 'A',
        headline: 'H',
        primaryText: 'P',
        callToAction: 'Buy',
        generatedBy: 'ai' as const,
        createdAt: T0,
      },
    ],
    imagePrompts: [
      { id: newId(), campaignId: campaign.id, prompt: 'p', style: null, aspectRatio: '1:1', createdAt: T0 },
    ],
    videoPrompts: [
      { id: newId(), campaignId: campaign.id, prompt: 'v', durationSeconds: 15, aspectRatio: '9:16', createdAt: T0 },
    ],
    campaigns: [campaign],
    clients: [client],
  };
  return { client, campaign, deployment, ad, copyId, changes };
}

function addMetrics(adId: string, days: string[]) {
  createMetricsIngest(handle.sqlite).ingest(
    days.map((date, i) => ({
      adId,
      platform: 'meta' as const,
      date,
      impressions: 100 + i,
      clicks: 10 + i,
      spendMicros: 1_000_000 * (i + 1),
      conversions: i,
      revenueMicros: 3_000_000 * (i + 1),
    })),
  );
}

describe('applying a pull page', () => {
  it('writes every kind of row with foreign keys on, keeping search_name and the client currency right', () => {
    const a = seedClient('Acme', 'EUR');
    const outcome = applyPullPage(handle.sqlite, pullPage({ changes: a.changes, cursor: 'v5' }), NOW);
    expect(outcome.touched).toEqual(
      expect.arrayContaining([
        'client',
        'campaign',
        'adCopy',
        'imagePrompt',
        'videoPrompt',
        'deployment',
        'ad',
        'approval',
      ]),
    );
    expect(readCampaign(handle.sqlite, a.campaign.id)).toMatchObject({
      name: 'Acme Campaign',
      currency: 'EUR',
      platforms: ['meta', 'tiktok'],
    });
    expect(handle.sqlite.prepare('SELECT search_name FROM campaigns').pluck().get()).toBe('acme campaign');
    for (const table of ['ads', 'platform_deployments', 'ad_copies', 'image_prompts', 'video_prompts', 'approvals']) {
      expect(count(handle.sqlite, table)).toBe(1);
    }
    expect(getSyncState(handle.sqlite).cursor).toBe('v5');
    expect(handle.sqlite.pragma('foreign_key_check')).toEqual([]);

    // A later page renames the campaign and drops a platform: the row and its platforms follow.
    const renamed = { ...a.campaign, name: 'Été', platforms: ['meta' as const] };
    applyPullPage(handle.sqlite, pullPage({ changes: { ...emptyChanges(), campaigns: [renamed] } }), NOW);
    expect(readCampaign(handle.sqlite, a.campaign.id)).toMatchObject({ name: 'Été', platforms: ['meta'] });
    expect(handle.sqlite.prepare('SELECT search_name FROM campaigns').pluck().get()).toBe('été');
    // Children survive the upsert (no INSERT OR REPLACE cascade).
    expect(count(handle.sqlite, 'ad_copies')).toBe(1);
  });

  it('applies tombstones children first and keeps the rollups exact when an ad with metrics goes', () => {
    const a = seedClient('Acme');
    applyPullPage(handle.sqlite, pullPage({ changes: a.changes }), NOW);
    const second = serverAd(a.deployment);
    applyPullPage(handle.sqlite, pullPage({ changes: { ...emptyChanges(), ads: [second] } }), NOW);
    addMetrics(a.ad.id, ['2026-01-30', '2026-01-31', '2026-02-01']);
    addMetrics(second.id, ['2026-01-31', '2026-02-01']);

    applyPullPage(handle.sqlite, pullPage({ tombstones: [{ entity: 'ad', id: a.ad.id }] }), NOW);
    expect(count(handle.sqlite, 'metrics_daily')).toBe(2);
    expectRollupsExact(handle.sqlite);

    // The whole campaign: a campaign tombstone listed before its ad's still deletes in a valid order.
    applyPullPage(
      handle.sqlite,
      pullPage({
        tombstones: [
          { entity: 'campaign', id: a.campaign.id },
          { entity: 'ad', id: second.id },
          { entity: 'deployment', id: a.deployment.id },
        ],
      }),
      NOW,
    );
    for (const table of ['campaigns', 'ads', 'platform_deployments', 'ad_copies', 'approvals', 'metrics_daily']) {
      expect(count(handle.sqlite, table)).toBe(0);
    }
    expectRollupsExact(handle.sqlite);
    expect(count(handle.sqlite, 'rollup_campaign_day')).toBe(0);
  });

  it('purges every row of a revoked client and leaves the other client and exact rollups', () => {
    const gone = seedClient('Gone');
    const kept = seedClient('Kept');
    applyPullPage(handle.sqlite, pullPage({ changes: gone.changes }), NOW);
    applyPullPage(handle.sqlite, pullPage({ changes: kept.changes }), NOW);
    addMetrics(gone.ad.id, ['2026-01-31', '2026-02-01']);
    addMetrics(kept.ad.id, ['2026-02-01']);
    handle.sqlite
      .prepare("INSERT INTO sync_metric_cursors (client_id, cursor, updated_at) VALUES (?, 'm1', 't')")
      .run(gone.client.id);

    const outcome = applyPullPage(handle.sqlite, pullPage({ scopesRevoked: [gone.client.id] }), NOW);
    expect(outcome.revokedClientIds).toEqual([gone.client.id]);
    expect(handle.sqlite.prepare('SELECT id FROM clients').pluck().all()).toEqual([kept.client.id]);
    for (const table of [
      'campaigns',
      'ads',
      'platform_deployments',
      'ad_copies',
      'image_prompts',
      'video_prompts',
      'approvals',
    ]) {
      expect(count(handle.sqlite, table)).toBe(1);
    }
    expect(count(handle.sqlite, 'sync_metric_cursors')).toBe(0);
    expect(count(handle.sqlite, 'metrics_daily')).toBe(1);
    expectRollupsExact(handle.sqlite);
  });

  it('purges, after the final page, clients the user can no longer read', () => {
    const a = seedClient('A');
    const b = seedClient('B');
    applyPullPage(handle.sqlite, pullPage({ changes: { ...a.changes } }), NOW);
    applyPullPage(handle.sqlite, pullPage({ changes: { ...b.changes } }), NOW);
    applyPullPage(handle.sqlite, pullPage({ hasMore: true, readableClientIds: [a.client.id] }), NOW);
    expect(count(handle.sqlite, 'clients')).toBe(2);
    const outcome = applyPullPage(handle.sqlite, pullPage({ hasMore: false, readableClientIds: [a.client.id] }), NOW);
    expect(outcome.revokedClientIds).toEqual([b.client.id]);
    expect(handle.sqlite.prepare('SELECT id FROM clients').pluck().all()).toEqual([a.client.id]);
  });

  it('shows pending local edits on top of pulled rows, without re-applying edits the server already has', () => {
    const a = seedClient('Acme');
    applyPullPage(handle.sqlite, pullPage({ changes: a.changes }), NOW);
    const edits = createLocalEdits({ sqlite: handle.sqlite, now: () => NOW });
    edits.updateCampaign({ campaignId: a.campaign.id, changes: { status: 'paused' } }); // id 1
    edits.updateCampaign({ campaignId: a.campaign.id, changes: { name: 'Mine' } }); // id 2

    // The server applied 1 (its ack was lost) and a teammate renamed the campaign.
    const serverRow = { ...a.campaign, name: 'Theirs', status: 'paused' as const, statusVersion: 1 };
    applyPullPage(
      handle.sqlite,
      pullPage({ changes: { ...emptyChanges(), campaigns: [serverRow] }, lastAckedMutationId: 1 }),
      NOW,
    );
    expect(readCampaign(handle.sqlite, a.campaign.id)).toMatchObject({
      name: 'Mine',
      status: 'paused',
      statusVersion: 1,
    });
    expect(countPending(handle.sqlite)).toBe(2);
  });

  it('bumps a field version on rebase only when the pending edit really changes the value, as the server does', () => {
    const a = seedClient('Acme');
    applyPullPage(handle.sqlite, pullPage({ changes: a.changes }), NOW);
    const edits = createLocalEdits({ sqlite: handle.sqlite, now: () => NOW });
    edits.updateCampaign({
      campaignId: a.campaign.id,
      changes: { status: 'paused', budgetType: 'daily', budgetMicros: 7 },
    });
    expect(readCampaign(handle.sqlite, a.campaign.id)).toMatchObject({ statusVersion: 1, budgetVersion: 1 });
    // A teammate paused it too; the budget is still the old one on the server.
    const serverRow = { ...a.campaign, status: 'paused' as const, statusVersion: 1 };
    applyPullPage(handle.sqlite, pullPage({ changes: { ...emptyChanges(), campaigns: [serverRow] } }), NOW);
    expect(readCampaign(handle.sqlite, a.campaign.id)).toMatchObject({
      status: 'paused',
      statusVersion: 1,
      budgetMicros: 7,
      budgetVersion: 1,
    });
  });

  it('changes nothing on resetRequired', () => {
    const a = seedClient('Acme');
    const outcome = applyPullPage(
      handle.sqlite,
      pullPage({ changes: a.changes, resetRequired: true, cursor: 'x' }),
      NOW,
    );
    expect(outcome).toEqual({ touched: [], revokedClientIds: [] });
    expect(count(handle.sqlite, 'clients')).toBe(0);
    expect(getSyncState(handle.sqlite).cursor).toBeNull();
  });
});

describe('resetting synced data', () => {
  it('drops every synced row, rollup, metric cursor and the cursor, but keeps the queued edits', () => {
    const a = seedClient('Acme');
    applyPullPage(handle.sqlite, pullPage({ changes: a.changes, cursor: 'v9' }), NOW);
    addMetrics(a.ad.id, ['2026-02-01']);
    createLocalEdits({ sqlite: handle.sqlite, now: () => NOW }).updateCampaign({
      campaignId: a.campaign.id,
      changes: { name: 'Queued' },
    });
    resetSyncedData(handle.sqlite);
    for (const table of [
      'clients',
      'campaigns',
      'ads',
      'metrics_daily',
      'rollup_campaign_day',
      'rollup_currency_day',
    ]) {
      expect(count(handle.sqlite, table)).toBe(0);
    }
    expect(countPending(handle.sqlite)).toBe(1);
    expect(getSyncState(handle.sqlite)).toMatchObject({ cursor: null, initialSyncDone: false, orgName: 'Agency' });
    expectRollupsExact(handle.sqlite);
  });
});
