import { AppError } from '@kiki/shared/errors';
import type { MetricsPullResponse } from '@kiki/shared/sync/sync-protocol';
import { METRICS_PAGE_MAX_ROWS, SYNC_PATHS } from '@kiki/shared/sync/sync-protocol';
import { metricRowCount } from '@kiki/shared/sync/metric-wire';
import type { MetricCursorState } from './metrics-apply';
import { yieldUntilRequestSent } from './request-departure';

/** The part of the metrics applier (metrics-apply.ts) this loop drives; narrower, so tests can fake it. */
export interface MetricsApplierPort {
  /** Saves the page's cursor in the same transaction as its rows. */
  applySnapshotPage(clientId: string, page: MetricsPullResponse): { skippedUnknownAds: number };
  /** 'history' also marks the snapshot over (phase 'delta'). */
  finishSnapshotPhase(clientId: string, phase: 'recent' | 'history'): void;
  applyDeltaPage(clientId: string, page: MetricsPullResponse): { skippedUnknownAds: number };
  trimWindow(clientId: string, windowStart: string): void;
  getCursor(clientId: string): MetricCursorState;
  saveCursor(clientId: string, state: MetricCursorState): void;
}

export interface MetricsProgress {
  phase: 'recentMetrics' | 'historyMetrics';
  done: number;
  total: number;
  /** Every readable client's recent days are in: the default dashboard can show real numbers. */
  usable: boolean;
}

export interface MetricsSyncDeps {
  applier: MetricsApplierPort;
  pull: (request: { clientId: string; cursor: string | null; limit: number }) => Promise<MetricsPullResponse>;
  /** Called after each applied page, for the progress bar and 'data.changed'. */
  onProgress: (progress: MetricsProgress) => void;
  /** Throws to stop between pages (core is closing, or the cycle was cancelled). */
  checkpoint: () => void;
  pageSize?: number;
}

/** At most this many rows of history wait in memory between the two passes (about 2 full pages). */
const MAX_HELD_ROWS = 100_000;

/** Phase values stored in the per-client cursor: 'recent' and 'history' mean a snapshot is under way. */
type StoredPhase = 'recent' | 'history' | 'delta' | null;

function storedPhase(state: MetricCursorState): StoredPhase {
  const phase = state.phase;
  return phase === 'recent' || phase === 'history' || phase === 'delta' ? phase : null;
}

/**
 * Brings every readable client's metrics up to date, in the order that makes the app usable soonest: the recent
 * days of EVERY client first (the default dashboard), then each client's history, then deltas. All progress is
 * the per-client cursor saved after each page in the same transaction as the rows, so a restarted core goes on
 * from the last page it applied.
 */
export async function syncClientMetrics(
  clientIds: readonly string[],
  deps: MetricsSyncDeps,
): Promise<{ clientsWithUnknownAds: string[] }> {
  const { applier } = deps;
  const limit = deps.pageSize ?? METRICS_PAGE_MAX_ROWS;
  const recentDone = new Set<string>();
  const resets = new Map<string, number>();
  const unknownAds = new Set<string>();
  /**
   * The next page's request goes out before the current page is written to SQLite, so the server reads and
   * serializes page N+1 while this process applies page N: the two costs overlap instead of adding up. In pass 2,
   * which finishes one client before the next, so at most one page waits in memory. In pass 1 only after a recent
   * page that has more: what follows is more recent days or the client's first history page, which pass 1 asks
   * for anyway (and holds, below), so asking early costs no extra page in memory.
   */
  const prefetched = new Map<string, Promise<MetricsPullResponse>>();
  let prefetchHistory = false;
  /**
   * Pass 1 cannot tell the last recent page until the next one arrives, and that one is usually a full page of
   * history. Written in pass 1 it would hold back 'usable' (and every other client's recent days) by a whole page;
   * held here, unapplied, pass 2 writes it. Bounded, so an agency with hundreds of clients cannot pile up pages.
   */
  let heldRows = 0;
  const held = new Set<string>();
  const recentFinished = new Set<string>();
  const finishRecent = (clientId: string) => {
    if (recentFinished.has(clientId)) return;
    applier.finishSnapshotPhase(clientId, 'recent');
    recentFinished.add(clientId);
  };
  const requestKey = (clientId: string, cursor: string | null) => `${clientId}|${cursor ?? ''}`;

  /** Each client's share of the progress bar; only the client a step just moved is read again. */
  const progress = new Map(clientIds.map((clientId) => [clientId, applier.getCursor(clientId)]));
  const report = (phase: MetricsProgress['phase'], stepped?: string) => {
    if (stepped !== undefined) progress.set(stepped, applier.getCursor(stepped));
    let done = 0;
    let total = 0;
    for (const state of progress.values()) {
      done += state.done;
      total += Math.max(state.total, state.done);
    }
    deps.onProgress({ phase, done, total, usable: recentDone.size === clientIds.length });
  };

  /** One page for one client; returns false when that client has nothing more to fetch right now. */
  const step = async (clientId: string): Promise<{ more: boolean; phase: MetricsPullResponse['phase'] }> => {
    const before = applier.getCursor(clientId);
    const key = requestKey(clientId, before.cursor);
    const waiting = prefetched.get(key);
    prefetched.delete(key);
    const page = await (waiting ?? deps.pull({ clientId, cursor: before.cursor, limit }));
    deps.checkpoint();
    if (waiting !== undefined && held.has(key)) {
      held.delete(key);
      heldRows -= metricRowCount(page.ads);
    }
    const previous = storedPhase(before);
    if (!page.resetRequired && page.phase !== 'recent' && (previous === null || previous === 'recent')) {
      // The recent days are all in: rollups for them now, so the dashboard is usable before history lands.
      finishRecent(clientId);
      if (!prefetchHistory && page.phase === 'history' && heldRows + metricRowCount(page.ads) <= MAX_HELD_ROWS) {
        held.add(key);
        heldRows += metricRowCount(page.ads);
        prefetched.set(key, Promise.resolve(page));
        return { more: true, phase: 'history' };
      }
    }
    if (!page.resetRequired && page.hasMore && (prefetchHistory || page.phase === 'recent')) {
      const next = deps.pull({ clientId, cursor: page.cursor, limit });
      // A prefetch abandoned by a failure elsewhere must not surface as an unhandled rejection.
      next.catch(() => undefined);
      prefetched.set(requestKey(clientId, page.cursor), next);
      // Writing this page blocks the thread; let the request for the next one leave first. The cycle may have
      // been stopped (sign-out, close) during those turns: check again before writing.
      await yieldUntilRequestSent(SYNC_PATHS.metricsPull);
      deps.checkpoint();
    }
    if (page.resetRequired) {
      const count = (resets.get(clientId) ?? 0) + 1;
      resets.set(clientId, count);
      if (count > 2) {
        throw new AppError('INTERNAL', 'The team server keeps restarting the metrics download; try again later.');
      }
      // The window moved (a new day) or the delta cursor fell out of retention: snapshot this client again.
      applier.saveCursor(clientId, { cursor: null, phase: null, done: 0, total: 0 });
      recentDone.delete(clientId);
      recentFinished.delete(clientId);
      return { more: true, phase: 'recent' };
    }
    const result =
      page.phase === 'delta' ? applier.applyDeltaPage(clientId, page) : applier.applySnapshotPage(clientId, page);
    if (result.skippedUnknownAds > 0) unknownAds.add(clientId);
    // The applier rebuilds rollups when a phase finishes; 'recent' done makes the dashboard usable early.
    if ((previous === null || previous === 'recent') && page.phase === 'recent' && !page.hasMore) {
      finishRecent(clientId);
    }
    if (page.phase !== 'delta' && !page.hasMore) applier.finishSnapshotPhase(clientId, 'history');
    // Only when the window moved (a new day): trimming scans the client's rows, far too costly for every poke.
    // Delta pages trim inside the applier, in the same transaction as their rows.
    const storedWindow = before.windowStart ?? null;
    if (page.phase !== 'delta' && storedWindow !== null && page.windowStart > storedWindow) {
      applier.trimWindow(clientId, page.windowStart);
    }
    return { more: page.hasMore, phase: page.phase };
  };

  // Pass 1: recent days of every client.
  for (const clientId of clientIds) {
    let phase = storedPhase(applier.getCursor(clientId));
    while (phase === null || phase === 'recent') {
      const result = await step(clientId);
      report('recentMetrics', clientId);
      if (result.phase !== 'recent' || !result.more) break;
      phase = storedPhase(applier.getCursor(clientId));
    }
    recentDone.add(clientId);
  }
  report('recentMetrics');

  // Pass 2: the rest of each snapshot, then deltas, until the server has nothing more.
  prefetchHistory = true;
  for (const clientId of clientIds) {
    for (;;) {
      const phase = storedPhase(applier.getCursor(clientId));
      const result = await step(clientId);
      if (phase !== 'delta') report('historyMetrics', clientId);
      if (!result.more) break;
    }
  }
  return { clientsWithUnknownAds: [...unknownAds] };
}
