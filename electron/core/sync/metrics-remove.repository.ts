import type BetterSqlite3 from 'better-sqlite3';

const METRICS = ['impressions', 'clicks', 'spend_micros', 'conversions', 'revenue_micros'] as const;
const SUMS = METRICS.map((m) => `SUM(${m}) AS ${m}`).join(', ');
const ALL_ZERO = METRICS.map((m) => `${m} = 0`).join(' AND ');

/** Each rollup, with its key columns and how each key is computed from the removal's (campaign, platform, date). */
const ROLLUPS = [
  {
    table: 'rollup_client_platform_day',
    keys: ['client_id', 'date', 'platform'],
    from: ['client_id', 'date', 'platform'],
  },
  {
    table: 'rollup_currency_platform_day',
    keys: ['currency', 'date', 'platform'],
    from: ['currency', 'date', 'platform'],
  },
  { table: 'rollup_currency_day', keys: ['currency', 'date'], from: ['currency', 'date'] },
  { table: 'rollup_campaign_day', keys: ['date', 'campaign_id'], from: ['date', 'campaign_id'] },
  {
    table: 'rollup_campaign_month',
    keys: ['month', 'campaign_id'],
    from: ["substr(date, 1, 8) || '01'", 'campaign_id'],
  },
] as const;

/**
 * Deletes the raw metric rows `where` selects (SQL over `m`, the metrics_daily alias, with named parameters)
 * and subtracts exactly them from every rollup, so dashboards stay equal to a GROUP BY over what is left.
 * Rollup rows that reach zero everywhere are dropped. Used by ad/campaign deletions and window trims, where
 * removeClientMetrics (whole client) does not fit. Run it inside the caller's transaction.
 */
export function removeMetricRows(
  sqlite: BetterSqlite3.Database,
  where: string,
  params: Record<string, unknown>,
): number {
  sqlite.exec(`CREATE TEMP TABLE IF NOT EXISTS metric_removal (
    campaign_id TEXT, client_id TEXT, currency TEXT, platform TEXT, date TEXT,
    impressions INTEGER, clicks INTEGER, spend_micros INTEGER, conversions INTEGER, revenue_micros INTEGER)`);
  sqlite.exec('DELETE FROM temp.metric_removal');
  const collected = sqlite
    .prepare(
      `INSERT INTO temp.metric_removal
       SELECT m.campaign_id, m.client_id, cl.currency, m.platform, m.date, ${SUMS.replaceAll('SUM(', 'SUM(m.')}
       FROM metrics_daily m JOIN clients cl ON cl.id = m.client_id
       WHERE ${where}
       GROUP BY m.campaign_id, m.platform, m.date`,
    )
    .run(params).changes;
  if (collected === 0) return 0;
  for (const { table, keys, from } of ROLLUPS) {
    const select = from.map((expr, i) => `${expr} AS ${keys[i]}`).join(', ');
    const match = keys.map((k) => `${table}.${k} = r.${k}`).join(' AND ');
    sqlite
      .prepare(
        `UPDATE ${table} SET ${METRICS.map((m) => `${m} = ${table}.${m} - r.${m}`).join(', ')}
         FROM (SELECT ${select}, ${SUMS} FROM temp.metric_removal GROUP BY ${keys.join(', ')}) AS r
         WHERE ${match}`,
      )
      .run();
    sqlite
      .prepare(
        `DELETE FROM ${table} WHERE ${ALL_ZERO}
           AND (${keys.join(', ')}) IN (SELECT ${from.join(', ')} FROM temp.metric_removal)`,
      )
      .run();
  }
  const removed = sqlite.prepare(`DELETE FROM metrics_daily AS m WHERE ${where}`).run(params).changes;
  sqlite.prepare("UPDATE cache_counters SET value = value - ? WHERE name = 'metric_rows'").run(removed);
  return removed;
}
