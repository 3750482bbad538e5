import { sql, type Kysely } from 'kysely';

/**
 * The first desktop cache schema: every entity of the design, the raw daily metrics, the rollups that
 * dashboards read, and the outbox/sync state the sync engine will use.
 *
 * Frozen once merged: fix forward in a new migration, never edit this file.
 */
const statements = [
  `CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    timezone TEXT NOT NULL,
    budget_approval_threshold_micros INTEGER,
    version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE INDEX clients_by_organization ON clients(organization_id, name)`,
  `CREATE TABLE users (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (organization_id, email)
  )`,
  // A grant is org-wide when no membership_clients rows exist for it (scope = 'org').
  `CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`,
  `CREATE INDEX memberships_by_user ON memberships(user_id)`,
  `CREATE TABLE membership_clients (
    membership_id TEXT NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    PRIMARY KEY (membership_id, client_id)
  ) WITHOUT ROWID`,
  `CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients(id),
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    objective TEXT NOT NULL,
    status TEXT NOT NULL,
    budget_type TEXT NOT NULL,
    budget_micros INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE INDEX campaigns_by_client ON campaigns(client_id, status)`,
  `CREATE TABLE campaign_platforms (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    PRIMARY KEY (campaign_id, platform)
  ) WITHOUT ROWID`,
  `CREATE INDEX campaign_platforms_by_platform ON campaign_platforms(platform, campaign_id)`,
  `CREATE TABLE ad_copies (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    variant_label TEXT NOT NULL,
    headline TEXT NOT NULL,
    primary_text TEXT NOT NULL,
    call_to_action TEXT NOT NULL,
    generated_by TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`,
  `CREATE INDEX ad_copies_by_campaign ON ad_copies(campaign_id, variant_label)`,
  `CREATE TABLE image_prompts (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    prompt TEXT NOT NULL,
    style TEXT,
    aspect_ratio TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`,
  `CREATE INDEX image_prompts_by_campaign ON image_prompts(campaign_id, created_at)`,
  `CREATE TABLE video_prompts (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    prompt TEXT NOT NULL,
    duration_seconds INTEGER NOT NULL,
    aspect_ratio TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`,
  `CREATE INDEX video_prompts_by_campaign ON video_prompts(campaign_id, created_at)`,
  // Content-hashed: the same file uploaded twice for a client is one asset.
  `CREATE TABLE user_assets (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients(id),
    file_name TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (client_id, sha256)
  )`,
  `CREATE TABLE platform_deployments (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    external_id TEXT,
    status TEXT NOT NULL,
    last_error TEXT,
    deployed_at TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (campaign_id, platform)
  )`,
  `CREATE TABLE ads (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    deployment_id TEXT NOT NULL REFERENCES platform_deployments(id),
    platform TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    ad_copy_id TEXT REFERENCES ad_copies(id) ON DELETE SET NULL,
    external_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE INDEX ads_by_campaign ON ads(campaign_id, platform, name)`,
  `CREATE INDEX ads_by_deployment ON ads(deployment_id)`,
  `CREATE INDEX ads_by_copy ON ads(ad_copy_id)`,
  `CREATE TABLE ad_assets (
    ad_id TEXT NOT NULL REFERENCES ads(id) ON DELETE CASCADE,
    asset_id TEXT NOT NULL REFERENCES user_assets(id) ON DELETE CASCADE,
    PRIMARY KEY (ad_id, asset_id)
  ) WITHOUT ROWID`,
  `CREATE INDEX ad_assets_by_asset ON ad_assets(asset_id)`,
  // Raw daily metrics keyed by their natural key; client and campaign are copied in so imports and
  // restatements can maintain the rollups without joins.
  `CREATE TABLE metrics_daily (
    ad_id TEXT NOT NULL REFERENCES ads(id),
    platform TEXT NOT NULL,
    date TEXT NOT NULL,
    client_id TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    impressions INTEGER NOT NULL,
    clicks INTEGER NOT NULL,
    spend_micros INTEGER NOT NULL,
    conversions INTEGER NOT NULL,
    revenue_micros INTEGER NOT NULL,
    PRIMARY KEY (ad_id, platform, date)
  ) WITHOUT ROWID`,
  `CREATE INDEX metrics_daily_by_client_date ON metrics_daily(client_id, date)`,
  // Rollups, maintained on write by the metrics ingest (old values subtracted, new ones added).
  `CREATE TABLE rollup_client_platform_day (
    client_id TEXT NOT NULL,
    date TEXT NOT NULL,
    platform TEXT NOT NULL,
    impressions INTEGER NOT NULL,
    clicks INTEGER NOT NULL,
    spend_micros INTEGER NOT NULL,
    conversions INTEGER NOT NULL,
    revenue_micros INTEGER NOT NULL,
    PRIMARY KEY (client_id, date, platform)
  ) WITHOUT ROWID`,
  `CREATE TABLE rollup_currency_platform_day (
    currency TEXT NOT NULL,
    date TEXT NOT NULL,
    platform TEXT NOT NULL,
    impressions INTEGER NOT NULL,
    clicks INTEGER NOT NULL,
    spend_micros INTEGER NOT NULL,
    conversions INTEGER NOT NULL,
    revenue_micros INTEGER NOT NULL,
    PRIMARY KEY (currency, date, platform)
  ) WITHOUT ROWID`,
  // Keyed by date first so a period's per-campaign totals are one contiguous range scan.
  `CREATE TABLE rollup_campaign_day (
    date TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    impressions INTEGER NOT NULL,
    clicks INTEGER NOT NULL,
    spend_micros INTEGER NOT NULL,
    conversions INTEGER NOT NULL,
    revenue_micros INTEGER NOT NULL,
    PRIMARY KEY (date, campaign_id)
  ) WITHOUT ROWID`,
  `CREATE INDEX rollup_campaign_day_by_campaign ON rollup_campaign_day(campaign_id, date)`,
  // month is the first day of the month, 'YYYY-MM-01'; long ranges read whole months from here.
  `CREATE TABLE rollup_campaign_month (
    month TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    impressions INTEGER NOT NULL,
    clicks INTEGER NOT NULL,
    spend_micros INTEGER NOT NULL,
    conversions INTEGER NOT NULL,
    revenue_micros INTEGER NOT NULL,
    PRIMARY KEY (month, campaign_id)
  ) WITHOUT ROWID`,
  `CREATE TABLE revenue_daily_summaries (
    client_id TEXT NOT NULL REFERENCES clients(id),
    date TEXT NOT NULL,
    gross_revenue_micros INTEGER NOT NULL,
    refunds_micros INTEGER NOT NULL,
    orders INTEGER NOT NULL,
    new_customers INTEGER NOT NULL,
    returning_customers INTEGER NOT NULL,
    PRIMARY KEY (client_id, date)
  ) WITHOUT ROWID`,
  `CREATE TABLE ltv_predictions (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients(id),
    cohort_month TEXT NOT NULL,
    horizon_days INTEGER NOT NULL,
    customers INTEGER NOT NULL,
    predicted_ltv_micros INTEGER NOT NULL,
    lower_bound_micros INTEGER NOT NULL,
    upper_bound_micros INTEGER NOT NULL,
    model_version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (client_id, cohort_month, horizon_days)
  )`,
  `CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients(id),
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users(id),
    current_budget_micros INTEGER NOT NULL,
    requested_budget_micros INTEGER NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT,
    decision_note TEXT,
    created_at TEXT NOT NULL
  )`,
  `CREATE INDEX approvals_by_status ON approvals(status, created_at)`,
  `CREATE INDEX approvals_by_campaign ON approvals(campaign_id)`,
  `CREATE TABLE experiments (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    primary_metric TEXT NOT NULL,
    variant_a_copy_id TEXT NOT NULL REFERENCES ad_copies(id),
    variant_b_copy_id TEXT NOT NULL REFERENCES ad_copies(id),
    started_at TEXT,
    ended_at TEXT,
    created_at TEXT NOT NULL
  )`,
  `CREATE INDEX experiments_by_campaign ON experiments(campaign_id)`,
  `CREATE TABLE alert_rules (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    client_id TEXT REFERENCES clients(id),
    campaign_id TEXT REFERENCES campaigns(id),
    name TEXT NOT NULL,
    metric TEXT NOT NULL,
    comparator TEXT NOT NULL,
    threshold REAL NOT NULL,
    window_days INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE alert_events (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
    client_id TEXT REFERENCES clients(id),
    campaign_id TEXT REFERENCES campaigns(id),
    date TEXT NOT NULL,
    observed_value REAL NOT NULL,
    message TEXT NOT NULL,
    triggered_at TEXT NOT NULL,
    acknowledged_at TEXT
  )`,
  `CREATE INDEX alert_events_by_time ON alert_events(triggered_at)`,
  `CREATE INDEX alert_events_by_rule ON alert_events(rule_id)`,
  `CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    actor_user_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    details_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`,
  `CREATE INDEX audit_log_by_entity ON audit_log(entity, entity_id, created_at)`,
  // Local writes queue here in the same transaction as the domain change; the row goes away only once
  // the server acknowledged it. AUTOINCREMENT keeps mutation ids increasing even after deletions.
  `CREATE TABLE outbox (
    mutation_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    args_json TEXT NOT NULL,
    base_version INTEGER,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  )`,
  `CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    client_install_id TEXT NOT NULL,
    server_url TEXT,
    cursor TEXT,
    last_acked_mutation_id INTEGER NOT NULL DEFAULT 0,
    last_push_at TEXT,
    last_pull_at TEXT,
    reset_required INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE TABLE sync_rejections (
    mutation_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    args_json TEXT NOT NULL,
    error_code TEXT NOT NULL,
    error_message TEXT NOT NULL,
    rejected_at TEXT NOT NULL
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
