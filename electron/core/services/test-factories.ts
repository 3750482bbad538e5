import { newId } from '@kiki/shared/ids';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import type { Campaign } from '@kiki/shared/domain/campaign.schema';
import { openDatabase, type AppDatabase } from '../db/open-database';
import { createCatalogWriter, type CatalogWriter } from './catalog-write.repository';
import { createMetricsIngest, type DailyMetricRow, type MetricsIngest } from './metrics-ingest.repository';

const CREATED_AT = '2025-01-01T00:00:00.000Z';

/** A migrated in-memory cache with small factories, for service and repository tests. */
export interface TestCache {
  handle: AppDatabase;
  catalog: CatalogWriter;
  metrics: MetricsIngest;
  organizationId: string;
  addClient(overrides?: { name?: string; currency?: string; timezone?: string }): string;
  addCampaign(
    clientId: string,
    overrides?: Partial<Omit<Campaign, 'id' | 'clientId' | 'currency' | 'updatedAt'>>,
  ): string;
  /** Adds an ad (with its platform deployment, created on first use) to a campaign. */
  addAd(campaignId: string, platform: Platform, overrides?: { name?: string; adCopyId?: string | null }): string;
  metric(adId: string, platform: Platform, date: string, values?: Partial<DailyMetricRow>): DailyMetricRow;
}

export async function createTestCache(): Promise<TestCache> {
  const handle = await openDatabase({ filename: ':memory:' });
  const catalog = createCatalogWriter(handle.sqlite);
  const metrics = createMetricsIngest(handle.sqlite);
  const organizationId = newId();
  catalog.insertOrganization({ id: organizationId, name: 'Test Agency', createdAt: CREATED_AT });
  const deployments = new Map<string, string>();
  let clientCount = 0;
  let campaignCount = 0;
  let adCount = 0;

  return {
    handle,
    catalog,
    metrics,
    organizationId,
    addClient(overrides = {}) {
      const id = newId();
      clientCount += 1;
      catalog.insertClient({
        id,
        organizationId,
        name: overrides.name ?? `Client ${clientCount}`,
        currency: overrides.currency ?? 'USD',
        timezone: overrides.timezone ?? 'America/New_York',
        budgetApprovalThresholdMicros: null,
        createdAt: CREATED_AT,
      });
      return id;
    },
    addCampaign(clientId, overrides = {}) {
      const id = newId();
      campaignCount += 1;
      catalog.insertCampaign({
        id,
        clientId,
        name: overrides.name ?? `Campaign ${campaignCount}`,
        objective: overrides.objective ?? 'sales',
        status: overrides.status ?? 'active',
        budgetType: overrides.budgetType ?? 'daily',
        budgetMicros: overrides.budgetMicros ?? 100_000_000,
        startDate: overrides.startDate ?? '2025-01-01',
        endDate: overrides.endDate ?? null,
        platforms: overrides.platforms ?? ['meta'],
        createdAt: CREATED_AT,
        updatedAt: CREATED_AT,
      });
      return id;
    },
    addAd(campaignId, platform, overrides = {}) {
      const key = `${campaignId}|${platform}`;
      let deploymentId = deployments.get(key);
      if (deploymentId === undefined) {
        deploymentId = newId();
        catalog.insertDeployment({
          id: deploymentId,
          campaignId,
          platform,
          externalId: null,
          status: 'live',
          lastError: null,
          deployedAt: CREATED_AT,
          updatedAt: CREATED_AT,
        });
        deployments.set(key, deploymentId);
      }
      const id = newId();
      adCount += 1;
      catalog.insertAd({
        id,
        campaignId,
        deploymentId,
        platform,
        name: overrides.name ?? `Ad ${adCount}`,
        status: 'active',
        adCopyId: overrides.adCopyId ?? null,
        externalId: null,
        createdAt: CREATED_AT,
      });
      return id;
    },
    metric(adId, platform, date, values = {}) {
      return {
        adId,
        platform,
        date,
        impressions: 1000,
        clicks: 50,
        spendMicros: 10_000_000,
        conversions: 5,
        revenueMicros: 30_000_000,
        ...values,
      };
    },
  };
}
