import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';
import type { AuthTables } from '../auth/auth.tables';
import type { SyncEntityType } from '@kiki/shared/sync/sync-protocol';

/** timestamptz defaulted by the database: read as Date, optional on insert. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** `date` columns are read as 'YYYY-MM-DD' strings (see pg-types.ts): a calendar day has no timezone. */
type CalendarDay = string;
/** bigint columns are parsed to numbers (see pg-types.ts); micros stay far below 2^53. */
type BigIntNumber = ColumnType<number, number | undefined, number>;
type Json = ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string>;

export interface OrganizationsTable {
  id: string;
  name: string;
  mfa_required: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface UsersTable {
  id: string;
  org_id: string;
  email: string;
  display_name: string;
  password_hash: string;
  status: ColumnType<'active' | 'disabled', 'active' | 'disabled' | undefined, 'active' | 'disabled'>;
  mfa_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  totp_secret_enc: string | null;
  totp_last_used_step: ColumnType<number | null, number | null | undefined, number | null>;
  failed_login_count: ColumnType<number, number | undefined, number>;
  locked_until: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ClientsTable {
  id: string;
  org_id: string;
  name: string;
  currency: string;
  timezone: string;
  budget_approval_threshold_micros: ColumnType<number | null, number | null | undefined, number | null>;
  archived_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface MembershipsTable {
  id: string;
  org_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'manager' | 'operator' | 'analyst' | 'client_viewer';
  client_ids: string[] | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface CampaignsTable {
  id: string;
  org_id: string;
  client_id: string;
  name: string;
  objective: 'awareness' | 'traffic' | 'engagement' | 'leads' | 'sales' | 'app_installs';
  status: 'draft' | 'active' | 'paused' | 'completed' | 'archived';
  budget_type: 'daily' | 'lifetime';
  budget_micros: number;
  currency: string;
  start_date: CalendarDay;
  end_date: CalendarDay | null;
  platforms: ColumnType<string[], string[] | undefined, string[]>;
  version: BigIntNumber;
  /** Bumped by a trigger whenever status changes; devices quote it as baseVersion. */
  status_version: BigIntNumber;
  /** Bumped by a trigger whenever budget_type or budget_micros changes. */
  budget_version: BigIntNumber;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface AdCopiesTable {
  id: string;
  org_id: string;
  campaign_id: string;
  variant_label: string;
  headline: string;
  primary_text: string;
  call_to_action: string;
  generated_by: 'ai' | 'human';
  created_at: CreatedAt;
}

export interface ImagePromptsTable {
  id: string;
  org_id: string;
  campaign_id: string;
  prompt: string;
  style: string | null;
  aspect_ratio: string;
  created_at: CreatedAt;
}

export interface VideoPromptsTable {
  id: string;
  org_id: string;
  campaign_id: string;
  prompt: string;
  duration_seconds: number;
  aspect_ratio: string;
  created_at: CreatedAt;
}

export interface UserAssetsTable {
  id: string;
  org_id: string;
  client_id: string;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  created_at: CreatedAt;
}

export interface PlatformDeploymentsTable {
  id: string;
  org_id: string;
  campaign_id: string;
  platform: 'meta' | 'google_ads' | 'tiktok';
  external_id: string | null;
  status: 'pending' | 'deploying' | 'live' | 'paused' | 'failed' | 'removed';
  last_error: string | null;
  deployed_at: NullableTimestamp;
  updated_at: CreatedAt;
}

export interface AdsTable {
  id: string;
  org_id: string;
  campaign_id: string;
  deployment_id: string;
  platform: 'meta' | 'google_ads' | 'tiktok';
  name: string;
  status: 'active' | 'paused' | 'rejected' | 'archived';
  ad_copy_id: string | null;
  external_id: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

interface MetricColumns {
  impressions: BigIntNumber;
  clicks: BigIntNumber;
  spend_micros: BigIntNumber;
  conversions: BigIntNumber;
  revenue_micros: BigIntNumber;
  updated_at: CreatedAt;
}

export interface PerformanceMetricsTable extends MetricColumns {
  org_id: string;
  platform: 'meta' | 'google_ads' | 'tiktok';
  ad_id: string;
  date: CalendarDay;
  client_id: string;
  campaign_id: string;
  /** Agency sync version of the transaction that last wrote the row (set by a trigger). */
  change_seq: ColumnType<number, never, never>;
}

export interface DailyRevenueSummariesTable extends MetricColumns {
  org_id: string;
  client_id: string;
  date: CalendarDay;
}

export interface LtvPredictionsTable {
  id: string;
  org_id: string;
  client_id: string;
  campaign_id: string | null;
  cohort_date: CalendarDay;
  horizon_days: number;
  predicted_ltv_micros: number;
  model_version: string;
  created_at: CreatedAt;
}

export interface ApprovalsTable {
  id: string;
  org_id: string;
  client_id: string;
  campaign_id: string;
  kind: 'budget_change';
  status: ColumnType<
    'pending' | 'approved' | 'rejected' | 'cancelled',
    'pending' | 'approved' | 'rejected' | 'cancelled' | undefined,
    'pending' | 'approved' | 'rejected' | 'cancelled'
  >;
  requested_by: string;
  decided_by: string | null;
  payload: Json;
  reason: string | null;
  created_at: CreatedAt;
  decided_at: NullableTimestamp;
}

export interface ExperimentsTable {
  id: string;
  org_id: string;
  client_id: string;
  campaign_id: string;
  name: string;
  status: 'draft' | 'running' | 'stopped' | 'concluded';
  metric: 'ctr' | 'conversion_rate' | 'roas' | 'cpa';
  ad_copy_ids: string[];
  started_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface AlertRulesTable {
  id: string;
  org_id: string;
  client_id: string | null;
  name: string;
  metric: 'spend' | 'roas' | 'ctr' | 'cpa' | 'budget_pacing';
  comparator: 'gt' | 'lt';
  threshold: number;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface AlertEventsTable {
  id: string;
  org_id: string;
  rule_id: string;
  client_id: string | null;
  campaign_id: string | null;
  value: number;
  message: string;
  triggered_at: CreatedAt;
  acknowledged_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: string;
  org_id: string;
  seq: ColumnType<number, number, never>;
  occurred_at: ColumnType<Date, Date, never>;
  actor_user_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  data: ColumnType<Record<string, unknown>, string, never>;
  ip: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface SyncVersionsTable {
  org_id: string;
  version: BigIntNumber;
  retained_from: BigIntNumber;
}

/** The entity kinds the change log names: the protocol's own list. */
export type SyncChangeEntityType = SyncEntityType;

/** Written only by triggers (migration 0003); read by pull and pruned by retention. */
export interface SyncChangesTable {
  org_id: string;
  version: ColumnType<number, number, never>;
  entity_type: SyncChangeEntityType;
  entity_id: string;
  client_id: string;
  op: 'upsert' | 'delete';
  changed_at: CreatedAt;
}

export interface SyncDevicesTable {
  id: string;
  org_id: string;
  user_id: string;
  name: string | null;
  last_mutation_id: number;
  created_at: CreatedAt;
  last_seen_at: CreatedAt;
}

export interface SyncMutationResultsTable {
  device_id: string;
  mutation_id: number;
  status: 'applied' | 'approval_requested' | 'rejected';
  result: Json;
  created_at: CreatedAt;
}

/** Every table of the server database, for Kysely. */
export interface Database extends AuthTables {
  organizations: OrganizationsTable;
  users: UsersTable;
  clients: ClientsTable;
  memberships: MembershipsTable;
  campaigns: CampaignsTable;
  ad_copies: AdCopiesTable;
  image_prompts: ImagePromptsTable;
  video_prompts: VideoPromptsTable;
  user_assets: UserAssetsTable;
  platform_deployments: PlatformDeploymentsTable;
  ads: AdsTable;
  performance_metrics: PerformanceMetricsTable;
  daily_revenue_summaries: DailyRevenueSummariesTable;
  ltv_predictions: LtvPredictionsTable;
  approvals: ApprovalsTable;
  experiments: ExperimentsTable;
  alert_rules: AlertRulesTable;
  alert_events: AlertEventsTable;
  audit_log: AuditLogTable;
  sync_versions: SyncVersionsTable;
  sync_changes: SyncChangesTable;
  sync_devices: SyncDevicesTable;
  sync_mutation_results: SyncMutationResultsTable;
}

export type OrganizationRow = Selectable<OrganizationsTable>;
export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ClientRow = Selectable<ClientsTable>;
export type MembershipRow = Selectable<MembershipsTable>;
export type CampaignRow = Selectable<CampaignsTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
