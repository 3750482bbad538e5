import type BetterSqlite3 from 'better-sqlite3';
import type { Client } from '@kiki/shared/domain/client.schema';
import type { Ad, Campaign, PlatformDeployment } from '@kiki/shared/domain/campaign.schema';
import type { AdCopy, ImagePrompt, UserAsset, VideoPrompt } from '@kiki/shared/domain/creative.schema';

export interface OrganizationRecord {
  id: string;
  name: string;
  createdAt: string;
}

export interface ClientRecord extends Client {
  organizationId: string;
  budgetApprovalThresholdMicros: number | null;
  createdAt: string;
}

/** A campaign as stored: its currency is always its client's, so it is not written. */
export type CampaignRecord = Omit<Campaign, 'currency'> & { createdAt: string };

export type AdRecord = Ad & { createdAt: string };

/**
 * Writes of the campaign catalogue (organizations down to ads and creatives) through prepared
 * statements, fast enough for the demo generator and the initial sync snapshot.
 */
export function createCatalogWriter(sqlite: BetterSqlite3.Database) {
  const organization = sqlite.prepare(
    'INSERT INTO organizations (id, name, created_at, updated_at) VALUES (@id, @name, @createdAt, @createdAt)',
  );
  const client = sqlite.prepare(
    `INSERT INTO clients (id, organization_id, name, currency, timezone, budget_approval_threshold_micros,
       created_at, updated_at)
     VALUES (@id, @organizationId, @name, @currency, @timezone, @budgetApprovalThresholdMicros, @createdAt, @createdAt)`,
  );
  const campaign = sqlite.prepare(
    `INSERT INTO campaigns (id, client_id, name, search_name, objective, status, budget_type, budget_micros,
       start_date, end_date, created_at, updated_at)
     VALUES (@id, @clientId, @name, @searchName, @objective, @status, @budgetType, @budgetMicros, @startDate,
       @endDate, @createdAt, @updatedAt)`,
  );
  const campaignPlatform = sqlite.prepare('INSERT INTO campaign_platforms (campaign_id, platform) VALUES (?, ?)');
  const deployment = sqlite.prepare(
    `INSERT INTO platform_deployments (id, campaign_id, platform, external_id, status, last_error, deployed_at,
       updated_at)
     VALUES (@id, @campaignId, @platform, @externalId, @status, @lastError, @deployedAt, @updatedAt)`,
  );
  const ad = sqlite.prepare(
    `INSERT INTO ads (id, campaign_id, deployment_id, platform, name, status, ad_copy_id, external_id, created_at,
       updated_at)
     VALUES (@id, @campaignId, @deploymentId, @platform, @name, @status, @adCopyId, @externalId, @createdAt,
       @createdAt)`,
  );
  const adCopy = sqlite.prepare(
    `INSERT INTO ad_copies (id, campaign_id, variant_label, headline, primary_text, call_to_action, generated_by,
       created_at)
     VALUES (@id, @campaignId, @variantLabel, @headline, @primaryText, @callToAction, @generatedBy, @createdAt)`,
  );
  const imagePrompt = sqlite.prepare(
    `INSERT INTO image_prompts (id, campaign_id, prompt, style, aspect_ratio, created_at)
     VALUES (@id, @campaignId, @prompt, @style, @aspectRatio, @createdAt)`,
  );
  const videoPrompt = sqlite.prepare(
    `INSERT INTO video_prompts (id, campaign_id, prompt, duration_seconds, aspect_ratio, created_at)
     VALUES (@id, @campaignId, @prompt, @durationSeconds, @aspectRatio, @createdAt)`,
  );
  const userAsset = sqlite.prepare(
    `INSERT INTO user_assets (id, client_id, file_name, mime_type, size_bytes, sha256, created_at)
     VALUES (@id, @clientId, @fileName, @mimeType, @sizeBytes, @sha256, @createdAt)`,
  );
  const adAsset = sqlite.prepare('INSERT INTO ad_assets (ad_id, asset_id) VALUES (?, ?)');

  return {
    insertOrganization: (record: OrganizationRecord) => void organization.run(record),
    insertClient: (record: ClientRecord) => void client.run(record),
    insertCampaign(record: CampaignRecord): void {
      campaign.run({ ...record, platforms: undefined, searchName: record.name.toLocaleLowerCase() });
      for (const platform of new Set(record.platforms)) campaignPlatform.run(record.id, platform);
    },
    insertDeployment: (record: PlatformDeployment & { updatedAt: string }) => void deployment.run(record),
    insertAd: (record: AdRecord) => void ad.run(record),
    insertAdCopy: (record: AdCopy) => void adCopy.run(record),
    insertImagePrompt: (record: ImagePrompt) => void imagePrompt.run(record),
    insertVideoPrompt: (record: VideoPrompt) => void videoPrompt.run(record),
    insertUserAsset: (record: UserAsset) => void userAsset.run(record),
    linkAdAsset: (adId: string, assetId: string) => void adAsset.run(adId, assetId),
  };
}

export type CatalogWriter = ReturnType<typeof createCatalogWriter>;
