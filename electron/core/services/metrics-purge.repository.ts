import type BetterSqlite3 from 'better-sqlite3';

const METRICS = ['impressions', 'clicks', 'spend_micros', 'conversions', 'revenue_micros'] as const;
const subtract = (table: string) => METRICS.map((m) => `${m} = ${table}.${m} - r.${m}`).join(', ');

/**
 * Removes every metric of a client (e.g. when sync reports the client's scope revoked) and keeps the
 * rollups and the metric row count exact: the per-currency rollups, shared with other clients, are
 * reduced by exactly this client's share. One transaction; returns the number of raw rows removed.
 */
export function createMetricsPurge(sqlite: BetterSqlite3.Database): { removeClientMetrics(clientId: string): number } {
  const currency = sqlite.prepare<[string], { currency: string }>('SELECT currency FROM clients WHERE id = ?');
  const campaignIds = `SELECT id FROM campaigns WHERE client_id = @clientId`;
  const statements = {
    currencyPlatformDay: sqlite.prepare(
      `UPDATE rollup_currency_platform_day SET ${subtract('rollup_currency_platform_day')}
       FROM (SELECT * FROM rollup_client_platform_day WHERE client_id = @clientId) AS r
       WHERE rollup_currency_platform_day.currency = @currency
         AND rollup_currency_platform_day.date = r.date AND rollup_currency_platform_day.platform = r.platform`,
    ),
    currencyDay: sqlite.prepare(
      `UPDATE rollup_currency_day SET ${subtract('rollup_currency_day')}
       FROM (SELECT date, ${METRICS.map((m) => `SUM(${m}) AS ${m}`).join(', ')}
             FROM rollup_client_platform_day WHERE client_id = @clientId GROUP BY date) AS r
       WHERE rollup_currency_day.currency = @currency AND rollup_currency_day.date = r.date`,
    ),
    clientDay: sqlite.prepare('DELETE FROM rollup_client_platform_day WHERE client_id = @clientId'),
    campaignDay: sqlite.prepare(`DELETE FROM rollup_campaign_day WHERE campaign_id IN (${campaignIds})`),
    campaignMonth: sqlite.prepare(`DELETE FROM rollup_campaign_month WHERE campaign_id IN (${campaignIds})`),
    // By ad, so the primary key finds the rows; the raw table has no client index.
    raw: sqlite.prepare(
      `DELETE FROM metrics_daily WHERE ad_id IN (SELECT id FROM ads WHERE campaign_id IN (${campaignIds}))`,
    ),
    count: sqlite.prepare("UPDATE cache_counters SET value = value - ? WHERE name = 'metric_rows'"),
  };

  const remove = sqlite.transaction((clientId: string): number => {
    const client = currency.get(clientId);
    if (client === undefined) return 0;
    const params = { clientId, currency: client.currency };
    statements.currencyPlatformDay.run(params);
    statements.currencyDay.run(params);
    statements.clientDay.run({ clientId });
    statements.campaignDay.run({ clientId });
    statements.campaignMonth.run({ clientId });
    const removed = statements.raw.run({ clientId }).changes;
    statements.count.run(removed);
    return removed;
  });

  return { removeClientMetrics: (clientId) => remove(clientId) };
}
