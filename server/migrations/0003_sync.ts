import { sql, type Kysely } from 'kysely';

/**
 * Offline-first sync (DESIGN.md section 4): a version counter per agency, a change log written by triggers
 * (so every writer, REST, CLI, sync, tests, is captured without having to remember to), per-field versions
 * for the fields guarded by optimistic concurrency, metric change sequence numbers, and the device and
 * mutation-result tables that make push idempotent.
 */
const SYNC_SCHEMA = `
CREATE TABLE sync_versions (
  org_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  version bigint NOT NULL DEFAULT 0,
  -- Changes at or below this version may have been pruned: a delta cursor older than it must reset.
  retained_from bigint NOT NULL DEFAULT 0
);
INSERT INTO sync_versions (org_id) SELECT id FROM organizations;

CREATE FUNCTION kiki_sync_create_version_row() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO sync_versions (org_id) VALUES (NEW.id) ON CONFLICT (org_id) DO NOTHING;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER organizations_sync_version AFTER INSERT ON organizations
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_create_version_row();

-- One new version per transaction per agency. The UPDATE takes the agency's sync_versions row lock and holds
-- it until commit, so two writers of one agency are serialized: the second waits, then (READ COMMITTED
-- re-reads the updated row) gets V+1 and can only commit after the first did. Versions therefore become
-- visible in commit order, and a reader whose snapshot shows version V has also seen every change <= V;
-- that is what makes "changes with version > cursor" a complete delta. The version is cached in a
-- transaction-local setting so later rows of the same transaction share it. NULL means the agency has no
-- row, which only happens while the agency itself is being deleted.
CREATE FUNCTION kiki_sync_version(p_org uuid) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  setting_name text := 'kiki.sync_v_' || replace(p_org::text, '-', '');
  cached text := current_setting(setting_name, true);
  allocated bigint;
BEGIN
  -- After the first use in a session the setting exists but reads '' outside the transaction that set it.
  IF cached IS NOT NULL AND cached <> '' THEN
    RETURN cached::bigint;
  END IF;
  UPDATE sync_versions SET version = version + 1 WHERE org_id = p_org RETURNING version INTO allocated;
  IF allocated IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM set_config(setting_name, allocated::text, true);
  -- NOTIFY is delivered at commit and dropped on rollback, so listeners never hear of a version that
  -- does not exist.
  PERFORM pg_notify('kiki_sync', json_build_object('o', p_org, 'v', allocated)::text);
  RETURN allocated;
END
$fn$;

CREATE TABLE sync_changes (
  org_id uuid NOT NULL,
  version bigint NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN
    ('client', 'campaign', 'adCopy', 'imagePrompt', 'videoPrompt', 'deployment', 'ad', 'approval')),
  entity_id uuid NOT NULL,
  -- The advertiser client the row belongs to: pulls filter on it, so a user only hears of readable rows.
  client_id uuid NOT NULL,
  op text NOT NULL CHECK (op IN ('upsert', 'delete')),
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, version, entity_type, entity_id)
);
CREATE INDEX sync_changes_org_changed_idx ON sync_changes (org_id, changed_at);

-- A campaign's children are deleted by the foreign-key cascade after the campaign row is already gone, so
-- their triggers can no longer look up the advertiser client; the campaign leaves it here for them.
CREATE FUNCTION kiki_sync_remember_campaign_client() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM set_config('kiki.sync_cc_' || replace(OLD.id::text, '-', ''), OLD.client_id::text, true);
  RETURN OLD;
END
$fn$;

CREATE FUNCTION kiki_sync_record_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  r record;
  entity text;
  advertiser uuid;
  changed_version bigint;
  remembered text;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  entity := CASE TG_TABLE_NAME
    WHEN 'clients' THEN 'client'
    WHEN 'campaigns' THEN 'campaign'
    WHEN 'ad_copies' THEN 'adCopy'
    WHEN 'image_prompts' THEN 'imagePrompt'
    WHEN 'video_prompts' THEN 'videoPrompt'
    WHEN 'platform_deployments' THEN 'deployment'
    WHEN 'ads' THEN 'ad'
    WHEN 'approvals' THEN 'approval'
  END;
  IF TG_TABLE_NAME = 'clients' THEN
    advertiser := r.id;
  ELSIF TG_TABLE_NAME IN ('campaigns', 'approvals') THEN
    advertiser := r.client_id;
  ELSE
    SELECT c.client_id INTO advertiser FROM campaigns c WHERE c.org_id = r.org_id AND c.id = r.campaign_id;
    IF advertiser IS NULL THEN
      remembered := current_setting('kiki.sync_cc_' || replace(r.campaign_id::text, '-', ''), true);
      IF remembered IS NOT NULL AND remembered <> '' THEN
        advertiser := remembered::uuid;
      END IF;
    END IF;
  END IF;
  changed_version := kiki_sync_version(r.org_id);
  IF changed_version IS NULL OR advertiser IS NULL THEN
    -- The agency (or the campaign's client) is being deleted as a whole: nobody is left to sync it to.
    RETURN NULL;
  END IF;
  INSERT INTO sync_changes (org_id, version, entity_type, entity_id, client_id, op)
  VALUES (r.org_id, changed_version, entity, r.id, advertiser,
          CASE WHEN TG_OP = 'DELETE' THEN 'delete' ELSE 'upsert' END)
  ON CONFLICT (org_id, version, entity_type, entity_id)
    DO UPDATE SET op = EXCLUDED.op, client_id = EXCLUDED.client_id, changed_at = EXCLUDED.changed_at;
  -- Identical payloads are folded within a transaction: one notification per client per transaction.
  PERFORM pg_notify('kiki_sync', json_build_object('o', r.org_id, 'v', changed_version, 'c', advertiser)::text);
  RETURN NULL;
END
$fn$;

CREATE TRIGGER campaigns_sync_remember_client BEFORE DELETE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_remember_campaign_client();
CREATE TRIGGER clients_sync_change AFTER INSERT OR UPDATE OR DELETE ON clients
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_record_change();
CREATE TRIGGER campaigns_sync_change AFTER INSERT OR UPDATE OR DELETE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_record_change();
CREATE TRIGGER ad_copies_sync_change AFTER INSERT OR UPDATE OR DELETE ON ad_copies
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_record_change();
CREATE TRIGGER image_prompts_sync_change AFTER INSERT OR UPDATE OR DELETE ON image_prompts
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_record_change();
CREATE TRIGGER video_prompts_sync_change AFTER INSERT OR UPDATE OR DELETE ON video_prompts
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_record_change();
CREATE TRIGGER platform_deployments_sync_change AFTER INSERT OR UPDATE OR DELETE ON platform_deployments
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_record_change();
CREATE TRIGGER ads_sync_change AFTER INSERT OR UPDATE OR DELETE ON ads
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_record_change();
CREATE TRIGGER approvals_sync_change AFTER INSERT OR UPDATE OR DELETE ON approvals
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_record_change();

-- Status and budget are guarded by optimistic concurrency: a device quotes the version it edited from.
-- Bumped here so every writer bumps them, and only when that field really changes.
ALTER TABLE campaigns
  ADD COLUMN status_version bigint NOT NULL DEFAULT 1,
  ADD COLUMN budget_version bigint NOT NULL DEFAULT 1;
CREATE FUNCTION kiki_campaign_field_versions() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    NEW.status_version := OLD.status_version + 1;
  END IF;
  IF NEW.budget_type IS DISTINCT FROM OLD.budget_type OR NEW.budget_micros IS DISTINCT FROM OLD.budget_micros THEN
    NEW.budget_version := OLD.budget_version + 1;
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER campaigns_field_versions BEFORE UPDATE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION kiki_campaign_field_versions();

-- Metrics are too many for the change log: each row carries the version of the transaction that last
-- wrote it, and a device pulls rows with change_seq above its cursor.
ALTER TABLE performance_metrics ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
CREATE FUNCTION kiki_metrics_change_seq() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.change_seq := coalesce(kiki_sync_version(NEW.org_id), 0);
  -- Folded to one notification per client per ingest transaction, however many rows it writes.
  PERFORM pg_notify('kiki_sync', json_build_object('o', NEW.org_id, 'v', NEW.change_seq, 'c', NEW.client_id)::text);
  RETURN NEW;
END
$fn$;
CREATE TRIGGER performance_metrics_change_seq BEFORE INSERT OR UPDATE ON performance_metrics
  FOR EACH ROW EXECUTE FUNCTION kiki_metrics_change_seq();
CREATE INDEX performance_metrics_change_seq_idx ON performance_metrics (org_id, client_id, change_seq);
CREATE INDEX performance_metrics_snapshot_idx ON performance_metrics (org_id, client_id, ad_id, platform, date);

-- A user's readable scopes changed: the live endpoint pokes that user so the device pulls (and purges).
CREATE FUNCTION kiki_sync_membership_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  r record;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  PERFORM pg_notify('kiki_sync', json_build_object('o', r.org_id, 'u', r.user_id)::text);
  IF TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id THEN
    PERFORM pg_notify('kiki_sync', json_build_object('o', OLD.org_id, 'u', OLD.user_id)::text);
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER memberships_sync_notify AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION kiki_sync_membership_changed();

-- One row per desktop install and user; last_mutation_id is the highest outbox id processed (never reused).
CREATE TABLE sync_devices (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name text CHECK (name IS NULL OR length(name) <= 200),
  last_mutation_id bigint NOT NULL CHECK (last_mutation_id >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_devices_user_idx ON sync_devices (org_id, user_id);

-- The stored answer to each processed mutation, replayed when a device resends it after a lost ack.
CREATE TABLE sync_mutation_results (
  device_id uuid NOT NULL REFERENCES sync_devices(id) ON DELETE CASCADE,
  mutation_id bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('applied', 'approval_requested', 'rejected')),
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, mutation_id)
);
CREATE INDEX sync_mutation_results_created_idx ON sync_mutation_results (created_at);
`;

/** Same shape as 0001's grant block: skipped with a notice where the role could not be created. */
const APP_ROLE_GRANTS = `
DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kiki_app') THEN
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON sync_versions, sync_changes, sync_devices,
      sync_mutation_results TO kiki_app';
    EXECUTE 'GRANT EXECUTE ON FUNCTION kiki_sync_version(uuid), kiki_sync_create_version_row(),
      kiki_sync_remember_campaign_client(), kiki_sync_record_change(), kiki_campaign_field_versions(),
      kiki_metrics_change_seq(), kiki_sync_membership_changed() TO kiki_app';
  ELSE
    RAISE NOTICE 'kiki_app role missing: sync tables not granted';
  END IF;
END
$do$;
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(SYNC_SCHEMA).execute(db);
  await sql.raw(APP_ROLE_GRANTS).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `DROP TABLE IF EXISTS sync_mutation_results, sync_devices, sync_changes, sync_versions CASCADE;
       DROP TRIGGER IF EXISTS organizations_sync_version ON organizations;
       DROP TRIGGER IF EXISTS campaigns_sync_remember_client ON campaigns;
       DROP TRIGGER IF EXISTS clients_sync_change ON clients;
       DROP TRIGGER IF EXISTS campaigns_sync_change ON campaigns;
       DROP TRIGGER IF EXISTS ad_copies_sync_change ON ad_copies;
       DROP TRIGGER IF EXISTS image_prompts_sync_change ON image_prompts;
       DROP TRIGGER IF EXISTS video_prompts_sync_change ON video_prompts;
       DROP TRIGGER IF EXISTS platform_deployments_sync_change ON platform_deployments;
       DROP TRIGGER IF EXISTS ads_sync_change ON ads;
       DROP TRIGGER IF EXISTS approvals_sync_change ON approvals;
       DROP TRIGGER IF EXISTS campaigns_field_versions ON campaigns;
       DROP TRIGGER IF EXISTS performance_metrics_change_seq ON performance_metrics;
       DROP TRIGGER IF EXISTS memberships_sync_notify ON memberships;
       DROP FUNCTION IF EXISTS kiki_sync_version(uuid), kiki_sync_create_version_row(),
         kiki_sync_remember_campaign_client(), kiki_sync_record_change(), kiki_campaign_field_versions(),
         kiki_metrics_change_seq(), kiki_sync_membership_changed();
       DROP INDEX IF EXISTS performance_metrics_change_seq_idx, performance_metrics_snapshot_idx;
       ALTER TABLE performance_metrics DROP COLUMN IF EXISTS change_seq;
       ALTER TABLE campaigns DROP COLUMN IF EXISTS status_version, DROP COLUMN IF EXISTS budget_version;`,
    )
    .execute(db);
}
