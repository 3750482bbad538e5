import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RPC_METHOD_NAMES, rpcContract, type RpcMethodName } from '@kiki/shared/contract/rpc-contract';
import { openDatabase, type AppDatabase } from '../db/open-database';
import { generateDemoData } from '../demo/demo-data.service';
import { syncRpcMethods } from '@kiki/shared/contract/sync-contract';
import { createRpcHandlers } from './create-rpc-handlers';

let handle: AppDatabase;
beforeAll(async () => {
  handle = await openDatabase({ filename: ':memory:' });
  await generateDemoData(handle, {
    now: new Date('2026-02-10T12:00:00Z'),
    shape: { clients: 3, campaignsPerClient: 3, adsPerCampaign: 3, alwaysOnShare: 0.5, flightDays: [20, 60] },
  });
}, 30_000);
afterAll(async () => {
  await handle.close();
});

/** Calls a method the way the dispatcher does: parse the input, run, and validate the output. */
async function call<M extends RpcMethodName>(method: M, input: unknown) {
  const handlers = createRpcHandlers({ db: handle.db, appVersion: 'test' });
  const definition = rpcContract[method];
  const run = (handlers as Record<string, unknown>)[method] as (parsed: unknown) => unknown;
  const output: unknown = await run(definition.input.parse(input));
  return definition.output.parse(output) as ReturnType<(typeof definition)['output']['parse']>;
}

describe('createRpcHandlers', { timeout: 30_000 }, () => {
  it('implements every contract method that is not sync', () => {
    const handlers = createRpcHandlers({ db: handle.db, appVersion: 'test' });
    const syncMethods = new Set(Object.keys(syncRpcMethods));
    expect(Object.keys(handlers).sort()).toEqual(RPC_METHOD_NAMES.filter((m) => !syncMethods.has(m)).sort());
  });

  it('answers every method with output the contract accepts, on demo data', async () => {
    const range = { from: '2025-11-01', to: '2026-02-09' };
    const status = await call('app.status', {});
    expect(status.counts.clients).toBe(3);
    const { clients } = await call('clients.list', {});
    expect(clients.map((c) => c.currency).sort()).toEqual(['EUR', 'JPY', 'USD']);
    const summary = await call('dashboard.summary', { clientId: null, range });
    expect(summary.byCurrency).toHaveLength(3);
    expect(summary.byCurrency.every((c) => c.current.spendMicros > 0)).toBe(true);
    const trend = await call('dashboard.trend', { clientId: clients[0]!.id, range, granularity: 'week' });
    // 2025-11-01 is a Saturday (week of Oct 27); 2026-02-09 is a Monday, starting a 16th week.
    expect(trend.series[0]?.points.map((p) => p.bucket)).toHaveLength(16);
    expect(trend.series[0]?.points[0]?.bucket).toBe('2025-10-27');
    const breakdown = await call('dashboard.platformBreakdown', { clientId: null, range });
    expect(breakdown.rows.length).toBeGreaterThan(3);
    const page = await call('campaigns.list', { range, limit: 5 });
    expect(page.total).toBe(9);
    expect(page.rows).toHaveLength(5);
    const detail = await call('campaigns.detail', { campaignId: page.rows[0]!.campaign.id, range });
    expect(detail.totals).toEqual(page.rows[0]!.totals);
    const ad = detail.ads[0]!.ad;
    const adDetail = await call('ads.detail', { adId: ad.id, range });
    expect(adDetail.totals).toEqual(detail.ads[0]!.totals);
  });
});
