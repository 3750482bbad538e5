import type BetterSqlite3 from 'better-sqlite3';
import type { MetricsPullResponse } from '@kiki/shared/sync/sync-protocol';
import { createMetricsIngest, type DailyMetricRow } from '../services/metrics-ingest.repository';
import { createMetricsPurge } from '../services/metrics-purge.repository';
import { createWireDates, dayAfter, metricRowsOf } from '@kiki/shared/sync/metric-wire';
import { removeMetricRows } from './metrics-remove.repository';
import { createSnapshotAggregate, type SnapshotAggregate } from './metrics-snapshot-aggregate';

export interface MetricCursorState {
  cursor: string | null;
  /**
   * 'recent' | 'history' while a snapshot runs (raw rows may be ahead of the rollups), 'delta' once the
   * snapshot's rollups are built; null before the first page.
   */
  phase: string | null;
  done: number;
  total: number;
  /** First day of the window the server last reported; absent means "keep what is stored". */
  windowStart?: string | null;
}

export interface MetricsPageResult {
  /** Rows written (new or changed). */
  applied: number;
  /** Rows for ads this device does not have yet (e.g. created after the catalogue pull): re-pull the catalogue. */
  skippedUnknownAds: number;
}

export interface MetricsApplier {
  /**
   * One snapshot page ('recent' or 'history'): raw rows only, no rollup work, in one transaction with the
   * cursor. The first page of a snapshot (stored cursor null) first removes the client's old metrics, so a
   * restarted snapshot leaves no stale rows.
   */
  applySnapshotPage(clientId: string, page: MetricsPullResponse): MetricsPageResult;
  /**
   * Rebuilds the client's rollups from its raw rows (exact). Call with 'recent' when the recent days are in
   * (the dashboard becomes usable) and with 'history' when the snapshot ends, whatever the last page's phase.
   */
  finishSnapshotPhase(clientId: string, phase: 'recent' | 'history'): void;
  /** One delta page: restatements through the exact-rollup ingest path, and the window trimmed if it moved. */
  applyDeltaPage(clientId: string, page: MetricsPullResponse): MetricsPageResult;
  /** Deletes the client's rows before `windowStart`, keeping every rollup exact. Returns rows removed. */
  trimWindow(clientId: string, windowStart: string): number;
  getCursor(clientId: string): MetricCursorState;
  saveCursor(clientId: string, state: MetricCursorState): void;
}

interface CursorRow {
  cursor: string | null;
  phase: string | null;
  window_start: string | null;
  done: number;
  total: number;
}

const METRICS = ['impressions', 'clicks', 'spend_micros', 'conversions', 'revenue_micros'] as const;
const SUMS = METRICS.map((m) => `SUM(${m}) AS ${m}`).join(', ');
const COLUMNS = METRICS.join(', ');
/** Values bound per row; the ad, platform, client and campaign are bound once per statement (named). */
const ROW_VALUES = 6;
/**
 * WAL pages between automatic checkpoints while a snapshot streams in (64 MiB instead of SQLite's 4 MiB): each
 * checkpoint fsyncs, and at the default a million-row snapshot spends about a third of its time waiting for
 * them. Durability is what synchronous = NORMAL already gives (an application crash loses nothing; an OS
 * crash may lose the last commits), over a window of a few seconds instead of a fraction of one, only while
 * the snapshot runs; its rows can be downloaded again.
 */
const SNAPSHOT_WAL_AUTOCHECKPOINT = 16_000;
const INSERT_BATCH = 200;
const CLIENT_ADS = `SELECT a.id FROM ads a JOIN campaigns c ON c.id = a.campaign_id WHERE c.client_id = @clientId`;
const CLIENT_CAMPAIGNS = `SELECT id FROM campaigns WHERE client_id = @clientId`;

/**
 * The metrics side of sync. A first sync streams up to millions of rows, so snapshot pages go straight into
 * metrics_daily through multi-row inserts, in primary-key order, one transaction per page, and the
 * rollups are rebuilt once per phase with INSERT ... SELECT ... GROUP BY; per-row rollup upkeep (the ingest
 * path) is kept for deltas, which are small and may restate days the device already has.
 */
export function createMetricsApplier(sqlite: BetterSqlite3.Database): MetricsApplier {
  const ingest = createMetricsIngest(sqlite);
  const purge = createMetricsPurge(sqlite);

  const selectCursor = sqlite.prepare<[string], CursorRow>(
    'SELECT cursor, phase, window_start, done, total FROM sync_metric_cursors WHERE client_id = ?',
  );
  const upsertCursor = sqlite.prepare(
    `INSERT INTO sync_metric_cursors (client_id, cursor, phase, window_start, done, total, updated_at)
     VALUES (@clientId, @cursor, @phase, @windowStart, @done, @total, @updatedAt)
     ON CONFLICT (client_id) DO UPDATE SET cursor = excluded.cursor, phase = excluded.phase,
       window_start = COALESCE(excluded.window_start, window_start), done = excluded.done, total = excluded.total,
       updated_at = excluded.updated_at`,
  );
  const clientAds = sqlite.prepare<{ clientId: string }, { id: string; campaign_id: string; platform: string }>(
    `SELECT a.id, a.campaign_id, a.platform FROM ads a JOIN campaigns c ON c.id = a.campaign_id
     WHERE c.client_id = @clientId`,
  );
  // Many rows of one ad per statement: the per-call cost of crossing into SQLite dominates a 10-column insert, and
  // the ad's four text columns are bound once per statement instead of once per row. A short batch (an ad's last
  // days) goes through the smaller sizes, so few statements stay prepared, not one per length. Each size comes
  // twice: a plain INSERT (about 10% faster: no separate conflict probe per row) and, for a batch that meets rows
  // already there, ON CONFLICT DO NOTHING; a failed plain INSERT is undone by SQLite on its own, statement only.
  const insertSql = (rows: number, onConflict: string) =>
    `INSERT INTO metrics_daily (ad_id, platform, date, client_id, campaign_id, ${COLUMNS})
     VALUES ${Array.from({ length: rows }, () => '(@adId, @platform, ?, @clientId, @campaignId, ?, ?, ?, ?, ?)').join(', ')}
     ${onConflict}`;
  const insertStatements = [INSERT_BATCH, 50, 10, 1].map((size) => ({
    size,
    plain: sqlite.prepare(insertSql(size, '')),
    skipExisting: sqlite.prepare(insertSql(size, 'ON CONFLICT DO NOTHING')),
  }));
  const isDuplicateKey = (error: unknown) =>
    error instanceof Error && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  /** Inserts the first `count` rows of `values` (ROW_VALUES per row) for one ad; returns the rows added. */
  const insertRows = (values: (string | number)[], count: number, named: Record<string, string>): number => {
    let added = 0;
    let offset = 0;
    let remaining = count;
    for (const { size, plain, skipExisting } of insertStatements) {
      for (; remaining >= size; remaining -= size, offset += size) {
        const part =
          offset === 0 && size * ROW_VALUES === values.length
            ? values
            : values.slice(offset * ROW_VALUES, (offset + size) * ROW_VALUES);
        try {
          added += plain.run(part, named).changes;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          added += skipExisting.run(part, named).changes;
        }
      }
    }
    return added;
  };
  const updateRaw = sqlite.prepare(
    `UPDATE metrics_daily SET impressions = ?, clicks = ?, spend_micros = ?, conversions = ?, revenue_micros = ?
     WHERE ad_id = ? AND platform = ? AND date = ?`,
  );
  const countRows = sqlite.prepare(
    `INSERT INTO cache_counters (name, value) VALUES ('metric_rows', ?)
     ON CONFLICT DO UPDATE SET value = value + excluded.value`,
  );

  sqlite.exec(`CREATE TEMP TABLE IF NOT EXISTS metric_rebuild (
    campaign_id TEXT, platform TEXT, date TEXT,
    impressions INTEGER, clicks INTEGER, spend_micros INTEGER, conversions INTEGER, revenue_micros INTEGER)`);
  const clearRebuild = sqlite.prepare('DELETE FROM temp.metric_rebuild');
  const fillRebuildFromRaw = sqlite.prepare(
    `INSERT INTO temp.metric_rebuild
     SELECT campaign_id, platform, date, ${SUMS} FROM metrics_daily
     WHERE ad_id IN (${CLIENT_ADS}) GROUP BY campaign_id, platform, date`,
  );
  const fillRebuildGroup = sqlite.prepare('INSERT INTO temp.metric_rebuild VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const rawChecksum = sqlite.prepare<{ clientId: string }, (number | null)[]>(
    `SELECT COUNT(*), ${SUMS} FROM metrics_daily WHERE ad_id IN (${CLIENT_ADS})`,
  );
  const rebuild = [
    'DELETE FROM rollup_client_platform_day WHERE client_id = @clientId',
    `DELETE FROM rollup_campaign_day WHERE campaign_id IN (${CLIENT_CAMPAIGNS})`,
    `DELETE FROM rollup_campaign_month WHERE campaign_id IN (${CLIENT_CAMPAIGNS})`,
    `INSERT INTO rollup_client_platform_day (client_id, date, platform, ${COLUMNS})
       SELECT @clientId, date, platform, ${SUMS} FROM temp.metric_rebuild GROUP BY date, platform`,
    `INSERT INTO rollup_campaign_day (date, campaign_id, ${COLUMNS})
       SELECT date, campaign_id, ${SUMS} FROM temp.metric_rebuild GROUP BY date, campaign_id`,
    `INSERT INTO rollup_campaign_month (month, campaign_id, ${COLUMNS})
       SELECT substr(date, 1, 8) || '01', campaign_id, ${SUMS} FROM temp.metric_rebuild
       GROUP BY substr(date, 1, 8), campaign_id`,
    // Per-currency rollups are the sum of their clients' per-client rollups, so recomputing the currency from
    // those (a few rows per client and day) stays exact for every other client too.
    'DELETE FROM rollup_currency_platform_day WHERE currency = @currency',
    `INSERT INTO rollup_currency_platform_day (currency, date, platform, ${COLUMNS})
       SELECT @currency, r.date, r.platform, ${METRICS.map((m) => `SUM(r.${m})`).join(', ')}
       FROM rollup_client_platform_day r JOIN clients cl ON cl.id = r.client_id
       WHERE cl.currency = @currency GROUP BY r.date, r.platform`,
    'DELETE FROM rollup_currency_day WHERE currency = @currency',
    `INSERT INTO rollup_currency_day (currency, date, ${COLUMNS})
       SELECT @currency, date, ${SUMS} FROM rollup_currency_platform_day WHERE currency = @currency GROUP BY date`,
    'DELETE FROM temp.metric_rebuild',
  ];
  const rebuildStatements = rebuild.map((statement) => {
    const prepared = sqlite.prepare(statement);
    return {
      run: (params: Record<string, unknown>) => (statement.includes('@') ? prepared.run(params) : prepared.run()),
    };
  });
  const clientCurrency = sqlite.prepare<[string], { currency: string }>('SELECT currency FROM clients WHERE id = ?');

  let normalAutocheckpoint: number | null = null;
  const widenCheckpoints = () => {
    if (normalAutocheckpoint !== null) return;
    normalAutocheckpoint = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
    sqlite.pragma(`wal_autocheckpoint = ${SNAPSHOT_WAL_AUTOCHECKPOINT}`);
  };
  const restoreCheckpoints = () => {
    if (normalAutocheckpoint === null) return;
    sqlite.pragma(`wal_autocheckpoint = ${normalAutocheckpoint}`);
    normalAutocheckpoint = null;
  };

  /** Snapshots started by this applier (so every row went through it), by client. */
  const aggregates = new Map<string, SnapshotAggregate>();
  /**
   * Clients whose running totals are known to match their raw rows without reading them back. Every write to the
   * cache goes through this one connection, so total_changes() unchanged since this applier's own last write proves
   * nobody else wrote in between; any other write (an edit, a pull page deleting an ad) clears the set and the
   * phase end falls back to comparing checksums with the raw rows (a scan of the client, ~5% of a million-row sync).
   */
  const proven = new Set<string>();
  const totalChanges = sqlite.prepare<[], number>('SELECT total_changes()').pluck();
  let changesAfterOwnWrite: number | null = null;
  /** Runs one of this applier's own writes, noticing first whether anybody else wrote since the last one. */
  function ownWrite<T>(write: () => T): T {
    if (changesAfterOwnWrite === null || totalChanges.get() !== changesAfterOwnWrite) proven.clear();
    try {
      return write();
    } finally {
      changesAfterOwnWrite = totalChanges.get() ?? null;
    }
  }
  function forget(clientId: string): void {
    aggregates.delete(clientId);
    proven.delete(clientId);
  }
  function matchesRaw(aggregate: SnapshotAggregate, clientId: string): boolean {
    if (proven.has(clientId)) return true;
    const raw = rawChecksum.raw().get({ clientId }) ?? [];
    return [aggregate.rows, ...aggregate.totals].every((value, i) => (raw[i] ?? 0) === value);
  }

  function getCursor(clientId: string): MetricCursorState {
    const row = selectCursor.get(clientId);
    if (row === undefined) return { cursor: null, phase: null, done: 0, total: 0, windowStart: null };
    return { cursor: row.cursor, phase: row.phase, done: row.done, total: row.total, windowStart: row.window_start };
  }

  function saveCursor(clientId: string, state: MetricCursorState): void {
    upsertCursor.run({
      clientId,
      cursor: state.cursor,
      phase: state.phase,
      windowStart: state.windowStart ?? null,
      done: state.done,
      total: state.total,
      updatedAt: new Date().toISOString(),
    });
  }

  function saveFromPage(clientId: string, page: MetricsPullResponse, phase: string): void {
    saveCursor(clientId, {
      cursor: page.cursor,
      phase,
      done: page.progress.done,
      total: page.progress.total,
      windowStart: page.windowStart,
    });
  }

  const rebuildRollups = sqlite.transaction((clientId: string) => {
    const client = clientCurrency.get(clientId);
    if (client === undefined) return;
    const params = { clientId, currency: client.currency };
    clearRebuild.run();
    const aggregate = aggregates.get(clientId);
    if (aggregate !== undefined && matchesRaw(aggregate, clientId)) {
      for (const group of aggregate.groups()) fillRebuildGroup.run(group);
    } else {
      fillRebuildFromRaw.run({ clientId });
    }
    // better-sqlite3 ignores named parameters a statement does not use, so each gets both.
    for (const statement of rebuildStatements) statement.run(params);
  });

  function trim(clientId: string, windowStart: string): number {
    forget(clientId);
    return removeMetricRows(sqlite, `m.ad_id IN (${CLIENT_ADS}) AND m.date < @windowStart`, {
      clientId,
      windowStart,
    });
  }

  const snapshotPage = sqlite.transaction((clientId: string, page: MetricsPullResponse, nested: boolean) => {
    if (page.resetRequired) {
      saveCursor(clientId, { cursor: null, phase: null, done: 0, total: 0 });
      forget(clientId);
      return { applied: 0, skippedUnknownAds: 0 };
    }
    if (getCursor(clientId).cursor === null) {
      purge.removeClientMetrics(clientId);
      aggregates.set(clientId, createSnapshotAggregate());
      // Only while each page commits on its own: a caller's transaction could still roll the rows back.
      if (!nested) proven.add(clientId);
    }
    const aggregate = aggregates.get(clientId);
    const ads = new Map(clientAds.all({ clientId }).map((a) => [a.id, a]));
    const dateOf = createWireDates(page.windowStart);
    // Days since 1970 of the page's day 0: the running totals number days the same way on every page.
    const firstDay = dayAfter('1970-01-01', page.windowStart);
    let inserted = 0;
    let updated = 0;
    let skipped = 0;
    const batch = new Array<string | number>(INSERT_BATCH * ROW_VALUES);
    for (const wireAd of page.ads) {
      const [adId, platform, days, impressions, clicks, spend, conversions, revenue] = wireAd;
      const ad = ads.get(adId);
      if (ad === undefined || ad.platform !== platform) {
        skipped += days.length;
        continue;
      }
      aggregate?.addAd(ad.campaign_id, firstDay, wireAd, dateOf);
      const named = { adId, platform, clientId, campaignId: ad.campaign_id };
      for (let start = 0; start < days.length; start += INSERT_BATCH) {
        const rows = Math.min(INSERT_BATCH, days.length - start);
        for (let i = 0, k = 0; i < rows; i++) {
          const at = start + i;
          batch[k++] = dateOf(days[at] as number);
          batch[k++] = impressions[at] as number;
          batch[k++] = clicks[at] as number;
          batch[k++] = spend[at] as number;
          batch[k++] = conversions[at] as number;
          batch[k++] = revenue[at] as number;
        }
        const added = insertRows(batch, rows, named);
        inserted += added;
        if (added < rows) {
          // Rows already there (a page applied twice, overlapping pages) are rare: update them one by one, and
          // stop trusting the running totals, which counted them twice.
          for (let i = 0; i < rows * ROW_VALUES; i += ROW_VALUES) {
            const [date, ...values] = batch.slice(i, i + ROW_VALUES);
            updated += updateRaw.run(...values, adId, platform, date).changes;
          }
          updated -= added;
          forget(clientId);
        }
      }
    }
    if (inserted > 0) countRows.run(inserted);
    saveFromPage(clientId, page, page.phase);
    return { applied: inserted + updated, skippedUnknownAds: skipped };
  });

  const deltaPage = sqlite.transaction((clientId: string, page: MetricsPullResponse): MetricsPageResult => {
    if (page.resetRequired) {
      saveCursor(clientId, { cursor: null, phase: null, done: 0, total: 0 });
      return { applied: 0, skippedUnknownAds: 0 };
    }
    forget(clientId);
    const state = getCursor(clientId);
    // A snapshot whose last phase was never finished (crash before finishSnapshotPhase) has raw rows ahead of
    // its rollups: build them before restating on top.
    if (state.phase === 'recent' || state.phase === 'history') rebuildRollups(clientId);
    if (state.windowStart != null && page.windowStart > state.windowStart) trim(clientId, page.windowStart);
    const ads = new Map(clientAds.all({ clientId }).map((a) => [a.id, a]));
    const rows: DailyMetricRow[] = [];
    let skipped = 0;
    for (const row of metricRowsOf(page.windowStart, page.ads)) {
      const ad = ads.get(row.adId);
      if (ad === undefined || ad.platform !== row.platform) {
        skipped += 1;
        continue;
      }
      rows.push(row);
    }
    const result = ingest.ingest(rows);
    saveFromPage(clientId, page, 'delta');
    return { applied: result.inserted + result.updated, skippedUnknownAds: skipped };
  });

  return {
    applySnapshotPage(clientId, page) {
      // The page checks every row's ad against the client's ads inside its own transaction, so SQLite's
      // per-row foreign-key probe of ads (~15% of the insert) proves nothing more. The pragma only takes
      // effect outside a transaction; inside a caller's transaction it stays on, which is merely slower.
      widenCheckpoints();
      const nested = sqlite.inTransaction;
      if (nested) proven.delete(clientId);
      const enforced = sqlite.pragma('foreign_keys', { simple: true }) === 1;
      if (enforced && !nested) sqlite.pragma('foreign_keys = OFF');
      try {
        return ownWrite(() => snapshotPage(clientId, page, nested));
      } catch (error) {
        // Rolled back: the running totals may hold rows that are not in the table.
        forget(clientId);
        throw error;
      } finally {
        if (enforced && !sqlite.inTransaction) sqlite.pragma('foreign_keys = ON');
      }
    },
    finishSnapshotPhase(clientId, phase) {
      ownWrite(() =>
        sqlite.transaction(() => {
          rebuildRollups(clientId);
          if (phase === 'history') {
            const state = getCursor(clientId);
            saveCursor(clientId, { ...state, phase: 'delta' });
          }
        })(),
      );
      if (phase === 'history') {
        forget(clientId);
        restoreCheckpoints();
      }
    },
    applyDeltaPage(clientId, page) {
      restoreCheckpoints();
      return ownWrite(() => deltaPage(clientId, page));
    },
    trimWindow: (clientId, windowStart) => ownWrite(() => sqlite.transaction(() => trim(clientId, windowStart))()),
    getCursor,
    saveCursor: (clientId, state) => ownWrite(() => saveCursor(clientId, state)),
  };
}
