import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '@kiki/shared/errors';
import type { Campaign } from '@kiki/shared/domain/campaign.schema';
import type { AdCopy } from '@kiki/shared/domain/creative.schema';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import type { SyncChanges, SyncEntityType } from '@kiki/shared/sync/sync-protocol';
import { toCampaign, type CampaignRow as CampaignCacheRow } from '../services/campaigns.repository';
import { createMetricsPurge } from '../services/metrics-purge.repository';
import { removeMetricRows } from './metrics-remove.repository';

/**
 * Server rows into the local cache and out of it. Upserts never use INSERT OR REPLACE: replacing a campaign
 * would cascade-delete its copies and prompts. Deletions cascade by hand where the schema does not, and take
 * metrics out through the exact-rollup paths.
 */

type CampaignRow = CampaignCacheRow & { status_version: number; budget_version: number };

export type LocalCampaign = Campaign & { statusVersion: number; budgetVersion: number };

export function readCampaign(sqlite: BetterSqlite3.Database, campaignId: string): LocalCampaign | undefined {
  const row = sqlite
    .prepare<[string], CampaignRow>(
      `SELECT c.id, c.client_id, c.name, c.objective, c.status, c.budget_type, c.budget_micros, c.start_date,
         c.end_date, c.updated_at, cl.currency, c.status_version, c.budget_version
       FROM campaigns c JOIN clients cl ON cl.id = c.client_id WHERE c.id = ?`,
    )
    .get(campaignId);
  if (row === undefined) return undefined;
  const platforms = sqlite
    .prepare<[string], { platform: string }>(
      'SELECT platform FROM campaign_platforms WHERE campaign_id = ? ORDER BY platform',
    )
    .all(campaignId)
    .map((p) => p.platform as Platform);
  return { ...toCampaign(row, platforms), statusVersion: row.status_version, budgetVersion: row.budget_version };
}

interface AdCopyRow {
  id: string;
  campaign_id: string;
  variant_label: string;
  headline: string;
  primary_text: string;
  call_to_action: string;
  generated_by: string;
  created_at: string;
}

export function readAdCopy(sqlite: BetterSqlite3.Database, adCopyId: string): AdCopy | undefined {
  const row = sqlite
    .prepare<[string], AdCopyRow>(
      `SELECT id, campaign_id, variant_label, headline, primary_text, call_to_action, generated_by, created_at
       FROM ad_copies WHERE id = ?`,
    )
    .get(adCopyId);
  if (row === undefined) return undefined;
  return {
    id: row.id,
    campaignId: row.campaign_id,
    variantLabel: row.variant_label,
    headline: row.headline,
    primaryText: row.primary_text,
    callToAction: row.call_to_action,
    generatedBy: row.generated_by as AdCopy['generatedBy'],
    createdAt: row.created_at,
  };
}

/** Ids of the rows an upsert wrote, by kind: what a rebase re-applies pending edits to. */
export interface UpsertedRows {
  types: Set<SyncEntityType>;
  campaignIds: Set<string>;
  adCopyIds: Set<string>;
}

export function emptyUpserted(): UpsertedRows {
  return { types: new Set(), campaignIds: new Set(), adCopyIds: new Set() };
}

function budgetField(payload: Record<string, unknown>, key: string): number | null {
  const value = payload[key];
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

/**
 * Writes server rows in dependency order (clients first, approvals last) so foreign keys hold. Clients belong
 * to the signed-in agency, whose organizations row is made on first use.
 */
export function upsertSyncChanges(
  sqlite: BetterSqlite3.Database,
  changes: SyncChanges,
  into: UpsertedRows,
  now: string,
): void {
  const hasRows = Object.values(changes).some((rows) => rows.length > 0);
  if (!hasRows) return;
  const org = sqlite
    .prepare<[], { org_id: string | null; org_name: string | null }>(
      'SELECT org_id, org_name FROM sync_state WHERE id = 1',
    )
    .get();
  if (changes.clients.length > 0) {
    if (org?.org_id == null) {
      throw new AppError('UNAUTHENTICATED', 'Sign in to a team server before syncing; no agency is recorded yet.');
    }
    sqlite
      .prepare(
        `INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
      )
      .run(org.org_id, org.org_name ?? 'Agency', now, now);
    const client = sqlite.prepare(
      `INSERT INTO clients (id, organization_id, name, currency, timezone, budget_approval_threshold_micros,
         created_at, updated_at)
       VALUES (@id, @orgId, @name, @currency, @timezone, @threshold, @updatedAt, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, name = excluded.name,
         currency = excluded.currency, timezone = excluded.timezone,
         budget_approval_threshold_micros = excluded.budget_approval_threshold_micros,
         updated_at = excluded.updated_at`,
    );
    for (const row of changes.clients) {
      client.run({
        id: row.id,
        orgId: org.org_id,
        name: row.name,
        currency: row.currency,
        timezone: row.timezone,
        threshold: row.budgetApprovalThresholdMicros,
        updatedAt: row.updatedAt,
      });
    }
    into.types.add('client');
  }

  if (changes.campaigns.length > 0) {
    // The campaign's currency is its client's (campaigns has no currency column), so row.currency is not stored.
    const campaign = sqlite.prepare(
      `INSERT INTO campaigns (id, client_id, name, search_name, objective, status, budget_type, budget_micros,
         start_date, end_date, status_version, budget_version, created_at, updated_at)
       VALUES (@id, @clientId, @name, @searchName, @objective, @status, @budgetType, @budgetMicros, @startDate,
         @endDate, @statusVersion, @budgetVersion, @createdAt, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, name = excluded.name,
         search_name = excluded.search_name, objective = excluded.objective, status = excluded.status,
         budget_type = excluded.budget_type, budget_micros = excluded.budget_micros,
         start_date = excluded.start_date, end_date = excluded.end_date,
         status_version = excluded.status_version, budget_version = excluded.budget_version,
         updated_at = excluded.updated_at`,
    );
    const clearPlatforms = sqlite.prepare('DELETE FROM campaign_platforms WHERE campaign_id = ?');
    const addPlatform = sqlite.prepare('INSERT INTO campaign_platforms (campaign_id, platform) VALUES (?, ?)');
    for (const row of changes.campaigns) {
      campaign.run({
        id: row.id,
        clientId: row.clientId,
        name: row.name,
        searchName: row.name.toLocaleLowerCase(),
        objective: row.objective,
        status: row.status,
        budgetType: row.budgetType,
        budgetMicros: row.budgetMicros,
        startDate: row.startDate,
        endDate: row.endDate,
        statusVersion: row.statusVersion,
        budgetVersion: row.budgetVersion,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      });
      clearPlatforms.run(row.id);
      for (const platform of new Set(row.platforms)) addPlatform.run(row.id, platform);
      into.campaignIds.add(row.id);
    }
    into.types.add('campaign');
  }

  if (changes.adCopies.length > 0) {
    const copy = sqlite.prepare(
      `INSERT INTO ad_copies (id, campaign_id, variant_label, headline, primary_text, call_to_action, generated_by,
         created_at)
       VALUES (@id, @campaignId, @variantLabel, @headline, @primaryText, @callToAction, @generatedBy, @createdAt)
       ON CONFLICT (id) DO UPDATE SET campaign_id = excluded.campaign_id, variant_label = excluded.variant_label,
         headline = excluded.headline, primary_text = excluded.primary_text,
         call_to_action = excluded.call_to_action, generated_by = excluded.generated_by`,
    );
    for (const row of changes.adCopies) {
      copy.run(row);
      into.adCopyIds.add(row.id);
    }
    into.types.add('adCopy');
  }

  if (changes.imagePrompts.length > 0) {
    const prompt = sqlite.prepare(
      `INSERT INTO image_prompts (id, campaign_id, prompt, style, aspect_ratio, created_at)
       VALUES (@id, @campaignId, @prompt, @style, @aspectRatio, @createdAt)
       ON CONFLICT (id) DO UPDATE SET campaign_id = excluded.campaign_id, prompt = excluded.prompt,
         style = excluded.style, aspect_ratio = excluded.aspect_ratio`,
    );
    for (const row of changes.imagePrompts) prompt.run(row);
    into.types.add('imagePrompt');
  }

  if (changes.videoPrompts.length > 0) {
    const prompt = sqlite.prepare(
      `INSERT INTO video_prompts (id, campaign_id, prompt, duration_seconds, aspect_ratio, created_at)
       VALUES (@id, @campaignId, @prompt, @durationSeconds, @aspectRatio, @createdAt)
       ON CONFLICT (id) DO UPDATE SET campaign_id = excluded.campaign_id, prompt = excluded.prompt,
         duration_seconds = excluded.duration_seconds, aspect_ratio = excluded.aspect_ratio`,
    );
    for (const row of changes.videoPrompts) prompt.run(row);
    into.types.add('videoPrompt');
  }

  if (changes.deployments.length > 0) {
    const deployment = sqlite.prepare(
      `INSERT INTO platform_deployments (id, campaign_id, platform, external_id, status, last_error, deployed_at,
         updated_at)
       VALUES (@id, @campaignId, @platform, @externalId, @status, @lastError, @deployedAt, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET campaign_id = excluded.campaign_id, platform = excluded.platform,
         external_id = excluded.external_id, status = excluded.status, last_error = excluded.last_error,
         deployed_at = excluded.deployed_at, updated_at = excluded.updated_at`,
    );
    for (const row of changes.deployments) deployment.run(row);
    into.types.add('deployment');
  }

  if (changes.ads.length > 0) {
    const ad = sqlite.prepare(
      `INSERT INTO ads (id, campaign_id, deployment_id, platform, name, status, ad_copy_id, external_id, created_at,
         updated_at)
       VALUES (@id, @campaignId, @deploymentId, @platform, @name, @status, @adCopyId, @externalId, @createdAt,
         @updatedAt)
       ON CONFLICT (id) DO UPDATE SET campaign_id = excluded.campaign_id, deployment_id = excluded.deployment_id,
         platform = excluded.platform, name = excluded.name, status = excluded.status,
         ad_copy_id = excluded.ad_copy_id, external_id = excluded.external_id, updated_at = excluded.updated_at`,
    );
    for (const row of changes.ads) ad.run(row);
    into.types.add('ad');
  }

  if (changes.approvals.length > 0) {
    const approval = sqlite.prepare(
      `INSERT INTO approvals (id, client_id, campaign_id, kind, status, requested_by, current_budget_micros,
         requested_budget_micros, payload_json, reason, decided_by, decided_at, created_at)
       VALUES (@id, @clientId, @campaignId, @kind, @status, @requestedBy, @current, @requested, @payload, @reason,
         @decidedBy, @decidedAt, @createdAt)
       ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, campaign_id = excluded.campaign_id,
         kind = excluded.kind, status = excluded.status, requested_by = excluded.requested_by,
         current_budget_micros = excluded.current_budget_micros,
         requested_budget_micros = excluded.requested_budget_micros, payload_json = excluded.payload_json,
         reason = excluded.reason, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
    );
    for (const row of changes.approvals) {
      approval.run({
        id: row.id,
        clientId: row.clientId,
        campaignId: row.campaignId,
        kind: row.kind,
        status: row.status,
        requestedBy: row.requestedBy,
        current: budgetField(row.payload, 'previousBudgetMicros'),
        requested: budgetField(row.payload, 'budgetMicros'),
        payload: JSON.stringify(row.payload),
        reason: row.reason,
        decidedBy: row.decidedBy,
        decidedAt: row.decidedAt,
        createdAt: row.createdAt,
      });
    }
    into.types.add('approval');
  }
}

function deleteAds(sqlite: BetterSqlite3.Database, where: string, params: Record<string, unknown>): void {
  const adIds = `SELECT id FROM ads WHERE ${where}`;
  removeMetricRows(sqlite, `m.ad_id IN (${adIds})`, params);
  sqlite.prepare(`DELETE FROM ads WHERE ${where}`).run(params);
}

function deleteCampaign(sqlite: BetterSqlite3.Database, campaignId: string): void {
  const params = { campaignId };
  sqlite.prepare('DELETE FROM approvals WHERE campaign_id = @campaignId').run(params);
  sqlite.prepare('DELETE FROM alert_events WHERE campaign_id = @campaignId').run(params);
  sqlite.prepare('DELETE FROM alert_rules WHERE campaign_id = @campaignId').run(params);
  deleteAds(sqlite, 'campaign_id = @campaignId', params);
  // Copies, prompts, deployments, platforms and experiments go with the campaign (ON DELETE CASCADE).
  sqlite.prepare('DELETE FROM campaigns WHERE id = @campaignId').run(params);
}

/**
 * Removes an advertiser client and everything of it from this device (scope revoked or deleted): metrics
 * first through removeClientMetrics so the shared per-currency rollups stay exact, then the catalogue.
 */
export function purgeClient(sqlite: BetterSqlite3.Database, clientId: string): void {
  createMetricsPurge(sqlite).removeClientMetrics(clientId);
  const campaigns = sqlite
    .prepare<[string], { id: string }>('SELECT id FROM campaigns WHERE client_id = ?')
    .all(clientId);
  for (const { id } of campaigns) deleteCampaign(sqlite, id);
  const params = { clientId };
  for (const statement of [
    'DELETE FROM approvals WHERE client_id = @clientId',
    'DELETE FROM alert_events WHERE client_id = @clientId',
    'DELETE FROM alert_rules WHERE client_id = @clientId',
    'DELETE FROM user_assets WHERE client_id = @clientId',
    'DELETE FROM revenue_daily_summaries WHERE client_id = @clientId',
    'DELETE FROM ltv_predictions WHERE client_id = @clientId',
    'DELETE FROM sync_metric_cursors WHERE client_id = @clientId',
    'DELETE FROM clients WHERE id = @clientId',
  ]) {
    sqlite.prepare(statement).run(params);
  }
}

/** Applies one server deletion; a row the device never had is fine. */
export function deleteSyncedEntity(sqlite: BetterSqlite3.Database, entity: SyncEntityType, id: string): void {
  const params = { id };
  switch (entity) {
    case 'approval':
      sqlite.prepare('DELETE FROM approvals WHERE id = @id').run(params);
      return;
    case 'ad':
      deleteAds(sqlite, 'id = @id', params);
      return;
    case 'deployment':
      deleteAds(sqlite, 'deployment_id = @id', params);
      sqlite.prepare('DELETE FROM platform_deployments WHERE id = @id').run(params);
      return;
    case 'videoPrompt':
      sqlite.prepare('DELETE FROM video_prompts WHERE id = @id').run(params);
      return;
    case 'imagePrompt':
      sqlite.prepare('DELETE FROM image_prompts WHERE id = @id').run(params);
      return;
    case 'adCopy':
      // Experiments point at their variants without a cascade; ads fall back to no copy (ON DELETE SET NULL).
      sqlite.prepare('DELETE FROM experiments WHERE variant_a_copy_id = @id OR variant_b_copy_id = @id').run(params);
      sqlite.prepare('DELETE FROM ad_copies WHERE id = @id').run(params);
      return;
    case 'campaign':
      deleteCampaign(sqlite, id);
      return;
    case 'client':
      purgeClient(sqlite, id);
      return;
  }
}
