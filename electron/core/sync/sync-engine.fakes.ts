/** Fakes of the engine's store and remote, shared by its tests: they log what the engine asks, in order. */
import type { AppErrorShape } from '@kiki/shared/errors';
import type {
  MetricsPullResponse,
  PullResponse,
  PushRequest,
  PushResponse,
  WireMutation,
} from '@kiki/shared/sync/sync-protocol';
import { metricRowCount } from '@kiki/shared/sync/metric-wire';
import { createBackoff } from './backoff';
import type { MetricCursorState } from './metrics-apply';
import { createSyncEngine, type SyncRemote, type SyncStore } from './sync-engine';

export const CLIENT = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8d';

export function mutation(id: number): WireMutation {
  return {
    id,
    name: 'campaign.rename',
    args: { campaignId: CLIENT, name: `Name ${id}` },
    createdAt: '2026-03-01T00:00:00.000Z',
  };
}

/** SQLite's role played in memory: an outbox, a cursor and metric cursors, with a log of what happened. */
export function fakeStore(pendingIds: number[] = []) {
  const log: string[] = [];
  let outbox = pendingIds.map(mutation);
  let highest = Math.max(0, ...pendingIds);
  let device: string | null = null;
  let cursor: string | null = null;
  let initialDone = false;
  let lastSynced: string | null = null;
  let lastError: AppErrorShape | null = null;
  const metricCursors = new Map<string, MetricCursorState>();
  /** Rows a snapshot page skips because the ad is not in the catalogue yet, per client. */
  const unknownAdRows = new Map<string, number>();
  const store: SyncStore = {
    deviceId: () => device,
    rotateDeviceId: (id) => {
      log.push(`rotate`);
      device = id;
    },
    cursor: () => cursor,
    initialSyncDone: () => initialDone,
    lastSyncedAt: () => lastSynced,
    listPending: (limit) => outbox.slice(0, limit),
    countPending: () => outbox.length,
    highestMutationId: () => highest,
    registrationMutationId: () => (outbox[0] === undefined ? highest : outbox[0].id - 1),
    applyPush: (sent, response) => {
      log.push(`applyPush ${sent.map((m) => m.id).join(',')}`);
      const acked = new Set(response.results.map((r) => r.id));
      outbox = outbox.filter((m) => !acked.has(m.id) && m.id > response.lastAckedMutationId);
      return { touched: ['campaign'] };
    },
    applyPull: (page) => {
      log.push(`applyPull ${page.cursor}`);
      cursor = page.cursor;
      return { touched: page.changes.campaigns.length > 0 ? ['campaign'] : [] };
    },
    resetSyncedData: () => {
      log.push('reset');
      cursor = null;
      metricCursors.clear();
    },
    knownClientIds: () => [],
    markSynced: (at) => {
      lastSynced = at.toISOString();
      initialDone = true;
    },
    setLastError: (error) => (lastError = error),
    issueCount: () => 0,
    metrics: {
      applySnapshotPage: (clientId, page) => {
        log.push(`snapshot ${page.phase} ${metricRowCount(page.ads)}`);
        metricCursors.set(clientId, {
          cursor: page.cursor,
          phase: page.phase,
          done: 1,
          total: 2,
          windowStart: page.windowStart,
        });
        return { skippedUnknownAds: unknownAdRows.get(clientId) ?? 0 };
      },
      applyDeltaPage: (clientId, page) => {
        log.push(`delta ${metricRowCount(page.ads)}`);
        metricCursors.set(clientId, { cursor: page.cursor, phase: 'delta', done: 0, total: 0 });
        return { skippedUnknownAds: 0 };
      },
      finishSnapshotPhase: (clientId, phase) => {
        log.push(`finish ${phase}`);
        const state = metricCursors.get(clientId);
        if (phase === 'history' && state) metricCursors.set(clientId, { ...state, phase: 'delta' });
      },
      trimWindow: (_clientId, windowStart) => {
        log.push(`trim ${windowStart}`);
        return 0;
      },
      getCursor: (clientId) => metricCursors.get(clientId) ?? { cursor: null, phase: null, done: 0, total: 0 },
      saveCursor: (clientId, state) => metricCursors.set(clientId, state),
    },
  };
  return {
    store,
    log,
    enqueue: (id: number) => {
      highest = Math.max(highest, id);
      outbox.push(mutation(id));
    },
    lastError: () => lastError,
    unknownAdRows,
    metricCursors,
    pending: () => outbox.map((m) => m.id),
  };
}

export function pullPage(cursor: string, hasMore = false, extra: Partial<PullResponse> = {}): PullResponse {
  return {
    cursor,
    hasMore,
    resetRequired: false,
    changes: {
      clients: [],
      campaigns: [],
      adCopies: [],
      imagePrompts: [],
      videoPrompts: [],
      deployments: [],
      ads: [],
      approvals: [],
    },
    tombstones: [],
    scopesRevoked: [],
    readableClientIds: [],
    lastAckedMutationId: 0,
    serverVersion: 1,
    ...extra,
  };
}

/** Five metric columns of `rows` ones. */
const ones = (rows: number) =>
  Array.from({ length: 5 }, () => new Array<number>(rows).fill(1)) as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];

export function metricsPage(
  phase: MetricsPullResponse['phase'],
  cursor: string,
  hasMore: boolean,
  rows = 1,
): MetricsPullResponse {
  return {
    cursor,
    hasMore,
    phase,
    windowStart: '2024-01-01',
    ads: rows === 0 ? [] : [[CLIENT, 'meta', Array.from({ length: rows }, (_, day) => day), ...ones(rows)]],
    progress: { done: 1, total: 2 },
    resetRequired: false,
  };
}

/** A server that acknowledges every push and serves `pages` on pull, logging into the shared log. */
export function fakeRemote(log: string[], overrides: Partial<SyncRemote> = {}) {
  let inFlight = 0;
  let maxInFlight = 0;
  const track = async <T>(name: string, run: () => Promise<T> | T): Promise<T> => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    log.push(name);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return await run();
    } finally {
      inFlight -= 1;
    }
  };
  const remote: SyncRemote = {
    register: (body) => track(`register ${body.lastMutationId}`, () => ({ lastAckedMutationId: body.lastMutationId })),
    push: (body: PushRequest) =>
      track(`push ${body.mutations.map((m) => m.id).join(',')}`, (): PushResponse => ({
        results: body.mutations.map((m) => ({ id: m.id, status: 'applied', duplicate: false })),
        lastAckedMutationId: body.mutations.at(-1)?.id ?? 0,
        serverVersion: 5,
      })),
    pull: (body) => track(`pull ${body.cursor ?? 'null'}`, () => pullPage('c1')),
    metricsPull: (body) => track(`metrics ${body.cursor ?? 'null'}`, () => metricsPage('delta', 'd', false)),
    ...overrides,
  };
  return { remote, maxInFlight: () => maxInFlight };
}

export function engineWith(
  store: SyncStore,
  remote: SyncRemote | null,
  extra: Partial<Parameters<typeof createSyncEngine>[0]> = {},
) {
  const events: { event: string; payload: unknown }[] = [];
  const engine = createSyncEngine({
    store,
    remote: () => remote,
    now: () => new Date('2026-03-01T12:00:00Z'),
    emit: (event, payload) => events.push({ event, payload }),
    backoff: createBackoff({ random: () => 0.5 }),
    ...extra,
  });
  return { engine, events };
}
