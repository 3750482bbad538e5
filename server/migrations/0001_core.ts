import { sql, type Kysely } from 'kysely';

/**
 * The agency data model of DESIGN.md section 3. Every tenant table carries org_id, and child rows point at
 * their parent through (org_id, id) so a row can never reference another agency's data, even by mistake.
 * Money is bigint micros; metric dates are calendar days in the client's timezone.
 */
const CORE_SCHEMA = `
CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  mfa_required boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  password_hash text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  mfa_enabled boolean NOT NULL DEFAULT false,
  totp_secret_enc text,
  totp_last_used_step bigint,
  failed_login_count integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, email),
  UNIQUE (org_id, id)
);
CREATE INDEX users_email_idx ON users (email);

CREATE TABLE clients (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  timezone text NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
  budget_approval_threshold_micros bigint CHECK (budget_approval_threshold_micros >= 0),
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id)
);
CREATE INDEX clients_org_name_idx ON clients (org_id, name);

CREATE TABLE memberships (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  user_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'operator', 'analyst', 'client_viewer')),
  -- NULL = org-wide; otherwise the grant reaches only these clients.
  client_ids uuid[] CHECK (client_ids IS NULL OR cardinality(client_ids) > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
  UNIQUE (org_id, user_id, role),
  CHECK (role <> 'client_viewer' OR client_ids IS NOT NULL)
);

CREATE TABLE campaigns (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  client_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  objective text NOT NULL CHECK (objective IN ('awareness', 'traffic', 'engagement', 'leads', 'sales', 'app_installs')),
  status text NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'completed', 'archived')),
  budget_type text NOT NULL CHECK (budget_type IN ('daily', 'lifetime')),
  budget_micros bigint NOT NULL CHECK (budget_micros >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  start_date date NOT NULL,
  end_date date CHECK (end_date IS NULL OR end_date >= start_date),
  platforms text[] NOT NULL DEFAULT '{}',
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE,
  UNIQUE (org_id, id)
);
CREATE INDEX campaigns_org_client_idx ON campaigns (org_id, client_id, name);

CREATE TABLE ad_copies (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  variant_label text NOT NULL,
  headline text NOT NULL,
  primary_text text NOT NULL,
  call_to_action text NOT NULL,
  generated_by text NOT NULL CHECK (generated_by IN ('ai', 'human')),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE,
  UNIQUE (org_id, id)
);
CREATE INDEX ad_copies_campaign_idx ON ad_copies (org_id, campaign_id);

CREATE TABLE image_prompts (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  prompt text NOT NULL,
  style text,
  aspect_ratio text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE
);
CREATE INDEX image_prompts_campaign_idx ON image_prompts (org_id, campaign_id);

CREATE TABLE video_prompts (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  prompt text NOT NULL,
  duration_seconds integer NOT NULL CHECK (duration_seconds > 0),
  aspect_ratio text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE
);
CREATE INDEX video_prompts_campaign_idx ON video_prompts (org_id, campaign_id);

CREATE TABLE user_assets (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  client_id uuid NOT NULL,
  file_name text NOT NULL,
  mime_type text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE,
  UNIQUE (org_id, client_id, sha256)
);

CREATE TABLE platform_deployments (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  platform text NOT NULL CHECK (platform IN ('meta', 'google_ads', 'tiktok')),
  external_id text,
  status text NOT NULL CHECK (status IN ('pending', 'deploying', 'live', 'paused', 'failed', 'removed')),
  last_error text,
  deployed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE,
  UNIQUE (org_id, campaign_id, platform),
  UNIQUE (org_id, id)
);

CREATE TABLE ads (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  deployment_id uuid NOT NULL,
  platform text NOT NULL CHECK (platform IN ('meta', 'google_ads', 'tiktok')),
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'paused', 'rejected', 'archived')),
  ad_copy_id uuid,
  external_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, deployment_id) REFERENCES platform_deployments (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, ad_copy_id) REFERENCES ad_copies (org_id, id),
  UNIQUE (org_id, id)
);
CREATE INDEX ads_campaign_idx ON ads (org_id, campaign_id);

-- Platforms restate recent days, so the natural key makes re-imports overwrite instead of duplicate.
CREATE TABLE performance_metrics (
  org_id uuid NOT NULL,
  platform text NOT NULL CHECK (platform IN ('meta', 'google_ads', 'tiktok')),
  ad_id uuid NOT NULL,
  date date NOT NULL,
  client_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  impressions bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
  clicks bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
  spend_micros bigint NOT NULL DEFAULT 0,
  conversions bigint NOT NULL DEFAULT 0 CHECK (conversions >= 0),
  revenue_micros bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, platform, ad_id, date),
  FOREIGN KEY (org_id, ad_id) REFERENCES ads (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE
);
CREATE INDEX performance_metrics_campaign_date_idx ON performance_metrics (org_id, campaign_id, date)
  INCLUDE (impressions, clicks, spend_micros, conversions, revenue_micros);
CREATE INDEX performance_metrics_client_date_idx ON performance_metrics (org_id, client_id, date)
  INCLUDE (impressions, clicks, spend_micros, conversions, revenue_micros);

-- Rollup per client and day, maintained on write, so dashboards never scan raw metric rows.
CREATE TABLE daily_revenue_summaries (
  org_id uuid NOT NULL,
  client_id uuid NOT NULL,
  date date NOT NULL,
  impressions bigint NOT NULL DEFAULT 0,
  clicks bigint NOT NULL DEFAULT 0,
  spend_micros bigint NOT NULL DEFAULT 0,
  conversions bigint NOT NULL DEFAULT 0,
  revenue_micros bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, client_id, date),
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE
);

CREATE TABLE ltv_predictions (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  client_id uuid NOT NULL,
  campaign_id uuid,
  cohort_date date NOT NULL,
  horizon_days integer NOT NULL CHECK (horizon_days > 0),
  predicted_ltv_micros bigint NOT NULL,
  model_version text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE
);
CREATE INDEX ltv_predictions_client_idx ON ltv_predictions (org_id, client_id, cohort_date);

CREATE TABLE approvals (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  client_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('budget_change')),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
  requested_by uuid NOT NULL,
  decided_by uuid,
  payload jsonb NOT NULL,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, requested_by) REFERENCES users (org_id, id),
  FOREIGN KEY (org_id, decided_by) REFERENCES users (org_id, id),
  -- Four eyes: nobody approves their own request.
  CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE INDEX approvals_pending_idx ON approvals (org_id, status, created_at);

CREATE TABLE experiments (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  client_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'running', 'stopped', 'concluded')),
  metric text NOT NULL CHECK (metric IN ('ctr', 'conversion_rate', 'roas', 'cpa')),
  ad_copy_ids uuid[] NOT NULL,
  started_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE
);

CREATE TABLE alert_rules (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  client_id uuid,
  name text NOT NULL,
  metric text NOT NULL CHECK (metric IN ('spend', 'roas', 'ctr', 'cpa', 'budget_pacing')),
  comparator text NOT NULL CHECK (comparator IN ('gt', 'lt')),
  -- A ratio (ROAS, CTR) or micros, depending on metric; ratios are not money so a double is honest here.
  threshold double precision NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id) ON DELETE CASCADE,
  UNIQUE (org_id, id)
);

CREATE TABLE alert_events (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  rule_id uuid NOT NULL,
  client_id uuid,
  campaign_id uuid,
  value double precision NOT NULL,
  message text NOT NULL,
  triggered_at timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  FOREIGN KEY (org_id, rule_id) REFERENCES alert_rules (org_id, id) ON DELETE CASCADE
);
CREATE INDEX alert_events_org_idx ON alert_events (org_id, triggered_at);

-- Append-only, hash-chained per agency: seq counts 1..n within an org, hash = sha256(prev_hash + row).
CREATE TABLE audit_log (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id),
  seq bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_user_id uuid,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text,
  data jsonb NOT NULL DEFAULT '{}',
  ip text,
  request_id text,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  UNIQUE (org_id, seq)
);
CREATE INDEX audit_log_org_time_idx ON audit_log (org_id, occurred_at);
CREATE INDEX audit_log_org_actor_idx ON audit_log (org_id, actor_user_id, seq);
CREATE INDEX audit_log_org_entity_idx ON audit_log (org_id, entity_type, entity_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
`;

/**
 * kiki_app is the role the server should log in as in production (see docs/decisions/0002). It may read
 * and write everything except changing audit rows. Roles are cluster-wide and creating one needs
 * CREATEROLE, so this is skipped with a notice where the migrating user lacks the privilege.
 */
const APP_ROLE = `
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kiki_app') THEN
    BEGIN
      CREATE ROLE kiki_app NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN RAISE NOTICE 'kiki_app role not created: the migrating user lacks CREATEROLE';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kiki_app') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA public TO kiki_app';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO kiki_app';
    EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO kiki_app';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO kiki_app';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO kiki_app';
    EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM kiki_app';
  END IF;
END
$do$;
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(CORE_SCHEMA).execute(db);
  await sql.raw(APP_ROLE).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `DROP TABLE IF EXISTS audit_log, alert_events, alert_rules, experiments, approvals, ltv_predictions,
        daily_revenue_summaries, performance_metrics, ads, platform_deployments, user_assets, video_prompts,
        image_prompts, ad_copies, campaigns, memberships, clients, users, organizations CASCADE;
       DROP FUNCTION IF EXISTS audit_log_append_only();`,
    )
    .execute(db);
}
