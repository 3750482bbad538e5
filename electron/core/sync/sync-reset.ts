import type BetterSqlite3 from 'better-sqlite3';

/** Children before parents, so the deletes hold with foreign keys on. */
const SYNCED_TABLES = [
  'alert_events',
  'alert_rules',
  'experiments',
  'approvals',
  'ad_assets',
  'metrics_daily',
  'ads',
  'platform_deployments',
  'ad_copies',
  'image_prompts',
  'video_prompts',
  'campaign_platforms',
  'campaigns',
  'user_assets',
  'revenue_daily_summaries',
  'ltv_predictions',
  'membership_clients',
  'memberships',
  'users',
  'clients',
  'organizations',
  'audit_log',
  'rollup_client_platform_day',
  'rollup_currency_platform_day',
  'rollup_currency_day',
  'rollup_campaign_day',
  'rollup_campaign_month',
  'sync_metric_cursors',
] as const;

/**
 * Drops every row that came from (or stands in for) the server, in one transaction: the domain tables,
 * rollups, metric cursors and the pull cursor. The outbox and the recorded sync issues stay: they are the
 * user's own unsent work, which the next push delivers on top of the fresh pull. Used on resetRequired and
 * when signing in to a different agency.
 */
export function resetSyncedData(sqlite: BetterSqlite3.Database): void {
  sqlite.transaction(() => {
    for (const table of SYNCED_TABLES) sqlite.prepare(`DELETE FROM ${table}`).run();
    sqlite.prepare("UPDATE cache_counters SET value = 0 WHERE name = 'metric_rows'").run();
    sqlite.prepare('UPDATE sync_state SET cursor = NULL, initial_sync_done = 0 WHERE id = 1').run();
  })();
}
