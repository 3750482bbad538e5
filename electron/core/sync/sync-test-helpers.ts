import type BetterSqlite3 from 'better-sqlite3';
import { expect } from 'vitest';
import { newId } from '@kiki/shared/ids';
import type {
  PullResponse,
  SyncChanges,
  syncAdRowSchema,
  syncCampaignRowSchema,
  syncClientRowSchema,
  syncDeploymentRowSchema,
} from '@kiki/shared/sync/sync-protocol';
import type { z } from 'zod';
import { saveSignedInIdentity } from './sync-state.repository';

/** Test-only builders of server rows and checks of rollup exactness for the sync data layer tests. */

export const T0 = '2026-01-01T00:00:00.000Z';

export function signIn(sqlite: BetterSqlite3.Database, orgId = newId()): string {
  saveSignedInIdentity(sqlite, {
    serverUrl: 'http://127.0.0.1:4000',
    deviceId: newId(),
    user: { id: newId(), email: 'ops@agency.test', displayName: 'Ops' },
    org: { id: orgId, name: 'Agency' },
    roles: [{ role: 'operator', clientIds: null }],
  });
  return orgId;
}

export function emptyChanges(): SyncChanges {
  return {
    clients: [],
    campaigns: [],
    adCopies: [],
    imagePrompts: [],
    videoPrompts: [],
    deployments: [],
    ads: [],
    approvals: [],
  };
}

export function pullPage(overrides: Partial<PullResponse> = {}): PullResponse {
  return {
    cursor: 'c1',
    hasMore: true,
    resetRequired: false,
    changes: emptyChanges(),
    tombstones: [],
    scopesRevoked: [],
    readableClientIds: [],
    lastAckedMutationId: 0,
    serverVersion: 1,
    ...overrides,
  };
}

export type ServerClient = z.infer<typeof syncClientRowSchema>;
export type ServerCampaign = z.infer<typeof syncCampaignRowSchema>;
export type ServerDeployment = z.infer<typeof syncDeploymentRowSchema>;
export type ServerAd = z.infer<typeof syncAdRowSchema>;

export function serverClient(overrides: Partial<ServerClient> = {}): ServerClient {
  return {
    id: newId(),
    name: 'Acme',
    currency: 'USD',
    timezone: 'America/New_York',
    budgetApprovalThresholdMicros: null,
    updatedAt: T0,
    ...overrides,
  };
}

export function serverCampaign(clientId: string, overrides: Partial<ServerCampaign> = {}): ServerCampaign {
  return {
    id: newId(),
    clientId,
    name: 'Spring Sale',
    objective: 'sales',
    status: 'active',
    budgetType: 'daily',
    budgetMicros: 100_000_000,
    currency: 'USD',
    startDate: '2026-01-01',
    endDate: null,
    platforms: ['meta'],
    updatedAt: T0,
    statusVersion: 0,
    budgetVersion: 0,
    createdAt: T0,
    ...overrides,
  };
}

export function serverDeployment(
  campaignId: string,
  platform: ServerDeployment['platform'] = 'meta',
): ServerDeployment {
  return {
    id: newId(),
    campaignId,
    platform,
    externalId: null,
    status: 'live',
    lastError: null,
    deployedAt: T0,
    updatedAt: T0,
  };
}

export function serverAd(deployment: ServerDeployment, overrides: Partial<ServerAd> = {}): ServerAd {
  return {
    id: newId(),
    campaignId: deployment.campaignId,
    deploymentId: deployment.id,
    platform: deployment.platform,
    name: 'Ad',
    status: 'active',
    adCopyId: null,
    externalId: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

const SUMS = 'SUM(impressions), SUM(clicks), SUM(spend_micros), SUM(conversions), SUM(revenue_micros)';
const HAVING =
  'HAVING SUM(impressions) != 0 OR SUM(clicks) != 0 OR SUM(spend_micros) != 0 OR SUM(conversions) != 0 OR SUM(revenue_micros) != 0';
const NONZERO = '(impressions != 0 OR clicks != 0 OR spend_micros != 0 OR conversions != 0 OR revenue_micros != 0)';

/** Every rollup equals a GROUP BY over the raw rows (all-zero rollup rows count as absent). */
export function expectRollupsExact(sqlite: BetterSqlite3.Database): void {
  const rows = (sql: string) => sqlite.prepare(sql).raw().all();
  const checks: [string, string][] = [
    [
      `SELECT client_id, date, platform, impressions, clicks, spend_micros, conversions, revenue_micros
       FROM rollup_client_platform_day WHERE ${NONZERO} ORDER BY 1, 2, 3`,
      `SELECT client_id, date, platform, ${SUMS} FROM metrics_daily GROUP BY 1, 2, 3 ${HAVING} ORDER BY 1, 2, 3`,
    ],
    [
      `SELECT currency, date, platform, impressions, clicks, spend_micros, conversions, revenue_micros
       FROM rollup_currency_platform_day WHERE ${NONZERO} ORDER BY 1, 2, 3`,
      `SELECT cl.currency, m.date, m.platform, ${SUMS.replaceAll('SUM(', 'SUM(m.')}
       FROM metrics_daily m JOIN clients cl ON cl.id = m.client_id GROUP BY 1, 2, 3 ${HAVING} ORDER BY 1, 2, 3`,
    ],
    [
      `SELECT currency, date, impressions, clicks, spend_micros, conversions, revenue_micros
       FROM rollup_currency_day WHERE ${NONZERO} ORDER BY 1, 2`,
      `SELECT cl.currency, m.date, ${SUMS.replaceAll('SUM(', 'SUM(m.')}
       FROM metrics_daily m JOIN clients cl ON cl.id = m.client_id GROUP BY 1, 2 ${HAVING} ORDER BY 1, 2`,
    ],
    [
      `SELECT date, campaign_id, impressions, clicks, spend_micros, conversions, revenue_micros
       FROM rollup_campaign_day WHERE ${NONZERO} ORDER BY 1, 2`,
      `SELECT date, campaign_id, ${SUMS} FROM metrics_daily GROUP BY 1, 2 ${HAVING} ORDER BY 1, 2`,
    ],
    [
      `SELECT month, campaign_id, impressions, clicks, spend_micros, conversions, revenue_micros
       FROM rollup_campaign_month WHERE ${NONZERO} ORDER BY 1, 2`,
      `SELECT substr(date, 1, 8) || '01', campaign_id, ${SUMS} FROM metrics_daily GROUP BY 1, 2 ${HAVING} ORDER BY 1, 2`,
    ],
  ];
  for (const [rollup, raw] of checks) expect(rows(rollup)).toEqual(rows(raw));
  const count = sqlite
    .prepare<[], { value: number }>("SELECT value FROM cache_counters WHERE name = 'metric_rows'")
    .get();
  const raw = sqlite.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM metrics_daily').get();
  expect(count?.value ?? 0).toBe(raw?.n);
}

/** Every rollup as plain rows, for comparing two caches built different ways. */
export function rollupSnapshot(sqlite: BetterSqlite3.Database): Record<string, unknown[]> {
  const tables = [
    'rollup_client_platform_day',
    'rollup_currency_platform_day',
    'rollup_currency_day',
    'rollup_campaign_day',
    'rollup_campaign_month',
  ];
  return Object.fromEntries(
    tables.map((t) => [t, sqlite.prepare(`SELECT * FROM ${t} WHERE ${NONZERO} ORDER BY 1, 2, 3`).raw().all()]),
  );
}

export function count(sqlite: BetterSqlite3.Database, table: string, where = '1'): number {
  return (sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
}
