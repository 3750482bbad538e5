import type { Kysely } from 'kysely';
import type { CacheRpcHandlers } from '@kiki/shared/contract/rpc-handlers';
import type { Database } from '../db/database.types';
import { appStatus } from './app-status.service';
import { listClients } from './clients.repository';
import { dashboardPlatformBreakdown, dashboardSummary, dashboardTrend } from './dashboard.service';
import { campaignDetail, listCampaigns } from './campaigns.service';
import { adDetail } from './ads.service';

export interface RpcHandlerDeps {
  db: Kysely<Database>;
  appVersion: string;
  /** Tells the renderer what changed (e.g. 'data.changed'); methods that write report through it. */
  emit?: (event: string, payload: unknown) => void;
}

/** The read methods of the RPC contract, over the local cache. Inputs arrive already validated. */
export function createRpcHandlers(deps: RpcHandlerDeps): CacheRpcHandlers {
  const { db } = deps;
  return {
    'app.status': () => appStatus(db, deps.appVersion),
    'clients.list': async () => ({ clients: await listClients(db) }),
    'dashboard.summary': (input) => dashboardSummary(db, input),
    'dashboard.trend': (input) => dashboardTrend(db, input),
    'dashboard.platformBreakdown': (input) => dashboardPlatformBreakdown(db, input),
    'campaigns.list': (input) => listCampaigns(db, input),
    'campaigns.detail': (input) => campaignDetail(db, input),
    'ads.detail': (input) => adDetail(db, input),
  };
}
