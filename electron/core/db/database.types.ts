import type { Generated } from 'kysely';

/**
 * Kysely table types of the desktop cache, mirroring `migrations/`. Rows stay inside repositories and
 * are mapped to the domain types of `@kiki/shared/domain` at their edge.
 */
export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface ClientsTable {
  id: string;
  organization_id: string;
  name: string;
  currency: string;
  timezone: string;
  budget_approval_threshold_micros: number | null;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  organization_id: string;
  email: string;
  display_name: string;
  created_at: string;
  updated_at: string;
}

export interface MembershipsTable {
  id: string;
  organization_id: string;
  user_id: string;
  role: string;
  /** 'org' for an agency-wide grant, 'clients' when membership_clients lists the clients. */
  scope: 'org' | 'clients';
  created_at: string;
}

export interface MembershipClientsTable {
  membership_id: string;
  client_id: string;
}

export interface CampaignsTable {
  id: string;
  client_id: string;
  name: string;
  /** Lower-cased name for case-insensitive search beyond ASCII (SQLite's LIKE folds ASCII only). */
  search_name: string;
  objective: string;
  status: string;
  budget_type: string;
  budget_micros: number;
  start_date: string;
  end_date: string | null;
  version: Generated<number>;
  /** Server's per-field optimistic-concurrency counters, quoted as baseVersion by status and budget edits. */
  status_version: Generated<number>;
  budget_version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface CampaignPlatformsTable {
  campaign_id: string;
  platform: string;
}

export interface AdCopiesTable {
  id: string;
  campaign_id: string;
  variant_label: string;
  headline: string;
  primary_text: string;
  call_to_action: string;
  generated_by: string;
  created_at: string;
}

export interface ImagePromptsTable {
  id: string;
  campaign_id: string;
  prompt: string;
  style: string | null;
  aspect_ratio: string;
  created_at: string;
}

export interface VideoPromptsTable {
  id: string;
  campaign_id: string;
  prompt: string;
  duration_seconds: number;
  aspect_ratio: string;
  created_at: string;
}

export interface UserAssetsTable {
  id: string;
  client_id: string;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  created_at: string;
}

export interface PlatformDeploymentsTable {
  id: string;
  campaign_id: string;
  platform: string;
  external_id: string | null;
  status: string;
  last_error: string | null;
  deployed_at: string | null;
  updated_at: string;
}

export interface AdsTable {
  id: string;
  campaign_id: string;
  deployment_id: string;
  platform: string;
  name: string;
  status: string;
  ad_copy_id: string | null;
  external_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface AdAssetsTable {
  ad_id: string;
  asset_id: string;
}

interface MetricColumns {
  impressions: number;
  clicks: number;
  spend_micros: number;
  conversions: number;
  revenue_micros: number;
}

export interface MetricsDailyTable extends MetricColumns {
  ad_id: string;
  platform: string;
  date: string;
  client_id: string;
  campaign_id: string;
}

export interface RollupClientPlatformDayTable extends MetricColumns {
  client_id: string;
  date: string;
  platform: string;
}

export interface RollupCurrencyPlatformDayTable extends MetricColumns {
  currency: string;
  date: string;
  platform: string;
}

export interface RollupCurrencyDayTable extends MetricColumns {
  currency: string;
  date: string;
}

export interface RollupCampaignDayTable extends MetricColumns {
  date: string;
  campaign_id: string;
}

export interface RollupCampaignMonthTable extends MetricColumns {
  month: string;
  campaign_id: string;
}

export interface RevenueDailySummariesTable {
  client_id: string;
  date: string;
  gross_revenue_micros: number;
  refunds_micros: number;
  orders: number;
  new_customers: number;
  returning_customers: number;
}

export interface LtvPredictionsTable {
  id: string;
  client_id: string;
  cohort_month: string;
  horizon_days: number;
  customers: number;
  predicted_ltv_micros: number;
  lower_bound_micros: number;
  upper_bound_micros: number;
  model_version: string;
  created_at: string;
}

export interface ApprovalsTable {
  id: string;
  client_id: string;
  campaign_id: string;
  kind: string;
  status: string;
  /** A server user id when synced; the device has no users row for it. */
  requested_by: string;
  current_budget_micros: number | null;
  requested_budget_micros: number | null;
  /** The server's approval payload, e.g. { budgetType, budgetMicros, previousBudgetType, previousBudgetMicros }. */
  payload_json: Generated<string>;
  reason: string | null;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  created_at: string;
}

export interface ExperimentsTable {
  id: string;
  campaign_id: string;
  name: string;
  status: string;
  primary_metric: string;
  variant_a_copy_id: string;
  variant_b_copy_id: string;
  started_at: string | null;
  ended_at: string | null;
  created_at: string;
}

export interface AlertRulesTable {
  id: string;
  organization_id: string;
  client_id: string | null;
  campaign_id: string | null;
  name: string;
  metric: string;
  comparator: string;
  threshold: number;
  window_days: number;
  /** SQLite has no boolean: 0 or 1. */
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface AlertEventsTable {
  id: string;
  rule_id: string;
  client_id: string | null;
  campaign_id: string | null;
  date: string;
  observed_value: number;
  message: string;
  triggered_at: string;
  acknowledged_at: string | null;
}

export interface AuditLogTable {
  id: string;
  organization_id: string;
  actor_user_id: string | null;
  action: string;
  entity: string;
  entity_id: string;
  details_json: string;
  created_at: string;
}

export interface OutboxTable {
  mutation_id: Generated<number>;
  name: string;
  args_json: string;
  base_version: number | null;
  created_at: string;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface SyncStateTable {
  id: number;
  client_install_id: string;
  server_url: string | null;
  cursor: string | null;
  last_acked_mutation_id: Generated<number>;
  last_push_at: string | null;
  last_pull_at: string | null;
  reset_required: Generated<number>;
  /** The device id registered with the server; never a token (tokens live in the OS keychain). */
  device_id: string | null;
  user_id: string | null;
  user_email: string | null;
  user_display_name: string | null;
  org_id: string | null;
  org_name: string | null;
  roles_json: Generated<string>;
  initial_sync_done: Generated<number>;
  last_error_json: string | null;
  last_synced_at: string | null;
}

/** Where each advertiser client's metric snapshot or delta stream stands. */
export interface SyncMetricCursorsTable {
  client_id: string;
  cursor: string | null;
  /** 'recent' | 'history' while the snapshot runs, 'delta' after. */
  phase: string | null;
  window_start: string | null;
  done: Generated<number>;
  total: Generated<number>;
  updated_at: string;
}

export interface SyncRejectionsTable {
  mutation_id: number;
  name: string;
  args_json: string;
  error_code: string;
  error_message: string;
  rejected_at: string;
  kind: Generated<'conflict' | 'rejected'>;
  details_json: string | null;
  entity_type: string | null;
  entity_id: string | null;
}

/** Counts kept on write where COUNT(*) would be too slow, e.g. 'metric_rows'. */
export interface CacheCountersTable {
  name: string;
  value: number;
}

export interface Database {
  organizations: OrganizationsTable;
  clients: ClientsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  membership_clients: MembershipClientsTable;
  campaigns: CampaignsTable;
  campaign_platforms: CampaignPlatformsTable;
  ad_copies: AdCopiesTable;
  image_prompts: ImagePromptsTable;
  video_prompts: VideoPromptsTable;
  user_assets: UserAssetsTable;
  platform_deployments: PlatformDeploymentsTable;
  ads: AdsTable;
  ad_assets: AdAssetsTable;
  metrics_daily: MetricsDailyTable;
  rollup_client_platform_day: RollupClientPlatformDayTable;
  rollup_currency_platform_day: RollupCurrencyPlatformDayTable;
  rollup_currency_day: RollupCurrencyDayTable;
  rollup_campaign_day: RollupCampaignDayTable;
  rollup_campaign_month: RollupCampaignMonthTable;
  revenue_daily_summaries: RevenueDailySummariesTable;
  ltv_predictions: LtvPredictionsTable;
  approvals: ApprovalsTable;
  experiments: ExperimentsTable;
  alert_rules: AlertRulesTable;
  alert_events: AlertEventsTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  sync_state: SyncStateTable;
  sync_rejections: SyncRejectionsTable;
  sync_metric_cursors: SyncMetricCursorsTable;
  cache_counters: CacheCountersTable;
}
