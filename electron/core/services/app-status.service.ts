import { sql, type Kysely } from 'kysely';
import type { RpcOutput } from '@kiki/shared/contract/rpc-contract';
import type { Database } from '../db/database.types';
import { schemaVersion } from '../db/open-database';

export async function appStatus(db: Kysely<Database>, appVersion: string): Promise<RpcOutput<'app.status'>> {
  const counts = await sql<{
    clients: number;
    campaigns: number;
    ads: number;
    metric_rows: number;
    latest: string | null;
  }>`
    SELECT (SELECT COUNT(*) FROM clients) AS clients,
      (SELECT COUNT(*) FROM campaigns) AS campaigns,
      (SELECT COUNT(*) FROM ads) AS ads,
      (SELECT value FROM cache_counters WHERE name = 'metric_rows') AS metric_rows,
      (SELECT MAX(date) FROM rollup_campaign_day) AS latest`.execute(db);
  const row = counts.rows[0];
  return {
    appVersion,
    schemaVersion: await schemaVersion(db),
    counts: {
      clients: row?.clients ?? 0,
      campaigns: row?.campaigns ?? 0,
      ads: row?.ads ?? 0,
      metricRows: row?.metric_rows ?? 0,
    },
    latestMetricDate: row?.latest ?? null,
  };
}
