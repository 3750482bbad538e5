import { sql, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import { platformSchema } from '@kiki/shared/domain/platform.schema';
import type { SyncChanges, SyncEntityType } from '@kiki/shared/sync/sync-protocol';
import { syncEntityTypeSchema } from '@kiki/shared/sync/sync-protocol';
import type {
  AdCopiesTable,
  AdsTable,
  ApprovalsTable,
  CampaignRow,
  ClientRow,
  Database,
  ImagePromptsTable,
  PlatformDeploymentsTable,
  VideoPromptsTable,
} from '../db/database';
import { toCampaign } from '../routes/campaigns/campaigns.routes';

/** Entity kinds in dependency order (the order of syncEntityTypeSchema). */
export const SYNC_ENTITY_TYPES: readonly SyncEntityType[] = syncEntityTypeSchema.options;

/** The rows of one agency a user may see: only rows of these advertiser clients ever leave the server. */
export interface RowScope {
  orgId: string;
  clientIds: readonly string[];
}

/** Which rows of an entity table to read: by id, or a keyset page ordered by id. */
export interface RowQuery {
  ids?: readonly string[];
  afterId?: string | null;
  limit?: number;
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

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function toSyncClient(row: ClientRow): SyncChanges['clients'][number] {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    timezone: row.timezone,
    budgetApprovalThresholdMicros: row.budget_approval_threshold_micros,
    updatedAt: iso(row.updated_at),
  };
}

export function toSyncCampaign(row: CampaignRow): SyncChanges['campaigns'][number] {
  return {
    ...toCampaign(row),
    statusVersion: row.status_version,
    budgetVersion: row.budget_version,
    createdAt: iso(row.created_at),
  };
}

export function toSyncAdCopy(row: Selectable<AdCopiesTable>): SyncChanges['adCopies'][number] {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    variantLabel: row.variant_label,
    headline: row.headline,
    primaryText: row.primary_text,
    callToAction: row.call_to_action,
    generatedBy: row.generated_by,
    createdAt: iso(row.created_at),
  };
}

function toSyncImagePrompt(row: Selectable<ImagePromptsTable>): SyncChanges['imagePrompts'][number] {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    prompt: row.prompt,
    style: row.style,
    aspectRatio: row.aspect_ratio,
    createdAt: iso(row.created_at),
  };
}

function toSyncVideoPrompt(row: Selectable<VideoPromptsTable>): SyncChanges['videoPrompts'][number] {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    prompt: row.prompt,
    durationSeconds: row.duration_seconds,
    aspectRatio: row.aspect_ratio,
    createdAt: iso(row.created_at),
  };
}

function toSyncDeployment(row: Selectable<PlatformDeploymentsTable>): SyncChanges['deployments'][number] {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    platform: platformSchema.parse(row.platform),
    externalId: row.external_id,
    status: row.status,
    lastError: row.last_error,
    deployedAt: isoOrNull(row.deployed_at),
    updatedAt: iso(row.updated_at),
  };
}

function toSyncAd(row: Selectable<AdsTable>): SyncChanges['ads'][number] {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    deploymentId: row.deployment_id,
    platform: platformSchema.parse(row.platform),
    name: row.name,
    status: row.status,
    adCopyId: row.ad_copy_id,
    externalId: row.external_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toSyncApproval(row: Selectable<ApprovalsTable>): SyncChanges['approvals'][number] {
  return {
    id: row.id,
    clientId: row.client_id,
    campaignId: row.campaign_id,
    kind: row.kind,
    status: row.status,
    requestedBy: row.requested_by,
    decidedBy: row.decided_by,
    payload: row.payload,
    reason: row.reason,
    createdAt: iso(row.created_at),
    decidedAt: isoOrNull(row.decided_at),
  };
}

/** The tables appendEntityRows reads; each has an `id` primary key. */
type EntityTable =
  | 'clients'
  | 'campaigns'
  | 'approvals'
  | 'ad_copies'
  | 'image_prompts'
  | 'video_prompts'
  | 'platform_deployments'
  | 'ads';

/**
 * Reads rows of one entity table that belong to `scope` and appends them, mapped to their wire shape, to
 * `into`. Returns the ids read, in id order (the keyset for the next page). Tables without a client_id
 * reach their advertiser through their campaign.
 */
export async function appendEntityRows(
  db: Kysely<Database>,
  entity: SyncEntityType,
  scope: RowScope,
  query: RowQuery,
  into: SyncChanges,
): Promise<string[]> {
  if (scope.clientIds.length === 0 || query.ids?.length === 0) return [];
  const clientIds = [...scope.clientIds];
  const ids = query.ids === undefined ? undefined : [...query.ids];
  const afterId = query.afterId ?? undefined;
  const limit = query.limit;
  const campaignsInScope = db
    .selectFrom('campaigns')
    .select('id')
    .where('org_id', '=', scope.orgId)
    .where('client_id', '=', (eb) => eb.fn.any(eb.val(clientIds)));

  /** The ids asked for, after the keyset, in id order, at most `limit`: the same tail for every table. */
  const page = async <O extends { id: string }>(start: SelectQueryBuilder<Database, EntityTable, O>) =>
    start
      .$if(ids !== undefined, (q) => q.where('id', '=', (eb) => eb.fn.any(eb.val(ids ?? []))))
      .$if(afterId !== undefined, (q) => q.where('id', '>', afterId ?? ''))
      .orderBy('id')
      .$if(limit !== undefined, (q) => q.limit(limit ?? 0))
      .execute();
  /** Appends `rows` mapped to their wire shape and returns their ids. */
  const append = <R extends { id: string }, W>(target: W[], toWire: (row: R) => W, rows: R[]) => {
    target.push(...rows.map(toWire));
    return rows.map((r) => r.id);
  };
  switch (entity) {
    case 'client': {
      const start = db
        .selectFrom('clients')
        .selectAll()
        .where('org_id', '=', scope.orgId)
        .where('id', '=', (eb) => eb.fn.any(eb.val(clientIds)));
      return append(into.clients, toSyncClient, await page(start));
    }
    case 'campaign': {
      const start = db
        .selectFrom('campaigns')
        .selectAll()
        .where('org_id', '=', scope.orgId)
        .where('client_id', '=', (eb) => eb.fn.any(eb.val(clientIds)));
      return append(into.campaigns, toSyncCampaign, await page(start));
    }
    case 'approval': {
      const start = db
        .selectFrom('approvals')
        .selectAll()
        .where('org_id', '=', scope.orgId)
        .where('client_id', '=', (eb) => eb.fn.any(eb.val(clientIds)));
      return append(into.approvals, toSyncApproval, await page(start));
    }
    case 'adCopy': {
      const start = db
        .selectFrom('ad_copies')
        .selectAll()
        .where('org_id', '=', scope.orgId)
        .where('campaign_id', 'in', campaignsInScope);
      return append(into.adCopies, toSyncAdCopy, await page(start));
    }
    case 'imagePrompt': {
      const start = db
        .selectFrom('image_prompts')
        .selectAll()
        .where('org_id', '=', scope.orgId)
        .where('campaign_id', 'in', campaignsInScope);
      return append(into.imagePrompts, toSyncImagePrompt, await page(start));
    }
    case 'videoPrompt': {
      const start = db
        .selectFrom('video_prompts')
        .selectAll()
        .where('org_id', '=', scope.orgId)
        .where('campaign_id', 'in', campaignsInScope);
      return append(into.videoPrompts, toSyncVideoPrompt, await page(start));
    }
    case 'deployment': {
      const start = db
        .selectFrom('platform_deployments')
        .selectAll()
        .where('org_id', '=', scope.orgId)
        .where('campaign_id', 'in', campaignsInScope);
      return append(into.deployments, toSyncDeployment, await page(start));
    }
    case 'ad': {
      const start = db
        .selectFrom('ads')
        .selectAll()
        .where('org_id', '=', scope.orgId)
        .where('campaign_id', 'in', campaignsInScope);
      return append(into.ads, toSyncAd, await page(start));
    }
  }
}

/** How many rows of each entity `scope` holds: the `total` of a snapshot's progress. */
export async function countScopeRows(db: Kysely<Database>, scope: RowScope): Promise<number> {
  if (scope.clientIds.length === 0) return 0;
  const clients = [...scope.clientIds];
  const result = await sql<{ n: string }>`
    with scoped_campaigns as (
      select id from campaigns where org_id = ${scope.orgId} and client_id = any(${clients}::uuid[])
    )
    select (
      (select count(*) from clients where org_id = ${scope.orgId} and id = any(${clients}::uuid[]))
      + (select count(*) from scoped_campaigns)
      + (select count(*) from approvals where org_id = ${scope.orgId} and client_id = any(${clients}::uuid[]))
      + (select count(*) from ad_copies where org_id = ${scope.orgId} and campaign_id in (select id from scoped_campaigns))
      + (select count(*) from image_prompts where org_id = ${scope.orgId} and campaign_id in (select id from scoped_campaigns))
      + (select count(*) from video_prompts where org_id = ${scope.orgId} and campaign_id in (select id from scoped_campaigns))
      + (select count(*) from platform_deployments where org_id = ${scope.orgId} and campaign_id in (select id from scoped_campaigns))
      + (select count(*) from ads where org_id = ${scope.orgId} and campaign_id in (select id from scoped_campaigns))
    )::text as n`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}
