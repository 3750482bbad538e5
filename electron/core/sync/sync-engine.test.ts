import { describe, expect, it } from 'vitest';
import { AppError, type AppErrorShape } from '@kiki/shared/errors';
import type {
  MetricsPullResponse,
  PullResponse,
  PushRequest,
  PushResponse,
  WireMutation,
} from '@kiki/shared/sync/sync-protocol';
import { createBackoff } from './backoff';
import type { MetricCursorState } from './metrics-sync.service';
import { createSyncEngine, type SyncRemote, type SyncStore } from './sync-engine';

const CLIENT = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8d';

function mutation(id: number): WireMutation {
  return {
    id,
    name: 'campaign.rename',
    args: { campaignId: CLIENT, name: `Name ${id}` },
    createdAt: '2026-03-01T00:00:00.000Z',
  };
}

/** SQLite's role played in memory: an outbox, a cursor and metric cursors, with a log of what happened. */
function fakeStore(pendingIds: number[] = []) {
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
        log.push(`snapshot ${page.phase} ${page.rows.length}`);
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
        log.push(`delta ${page.rows.length}`);
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

function pullPage(cursor: string, hasMore = false, extra: Partial<PullResponse> = {}): PullResponse {
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

function metricsPage(
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
    rows: Array.from({ length: rows }, () => [CLIENT, 'meta', '2026-03-01', CLIENT, 1, 1, 1, 1, 1] as const).map(
      (r) => [...r],
    ),
    progress: { done: 1, total: 2 },
    resetRequired: false,
  };
}

/** A server that acknowledges every push and serves `pages` on pull, logging into the shared log. */
function fakeRemote(log: string[], overrides: Partial<SyncRemote> = {}) {
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

function engineWith(
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

describe('sync engine', () => {
  it('registers below the oldest pending edit, pushes everything, then pulls', async () => {
    const local = fakeStore([4, 5, 6]);
    const { remote } = fakeRemote(local.log);
    const { engine, events } = engineWith(local.store, remote);
    const status = await engine.syncNow();
    expect(local.log).toEqual(['rotate', 'register 3', 'push 4,5,6', 'applyPush 4,5,6', 'pull null', 'applyPull c1']);
    expect(status).toMatchObject({ connection: 'online', pendingCount: 0, lastError: null, syncing: false });
    expect(events.some((e) => e.event === 'data.changed')).toBe(true);
    expect(events.filter((e) => e.event === 'sync.status').length).toBeGreaterThan(1);
  });

  it('registers with the highest id ever used when nothing is pending', async () => {
    const local = fakeStore([]);
    local.enqueue(9);
    local.store.applyPush([mutation(9)], {
      results: [{ id: 9, status: 'applied', duplicate: false }],
      lastAckedMutationId: 9,
      serverVersion: 1,
    });
    local.log.length = 0;
    const { remote } = fakeRemote(local.log);
    await engineWith(local.store, remote).engine.syncNow();
    expect(local.log[1]).toBe('register 9');
  });

  it('never runs two cycles at once, and an edit during a cycle gets its own push after it', async () => {
    const local = fakeStore([1]);
    let engineRef: ReturnType<typeof createSyncEngine> | null = null;
    const base = fakeRemote(local.log);
    let firstPush = true;
    const remote: SyncRemote = {
      ...base.remote,
      push: (body) => {
        if (firstPush) {
          // The user edits while the first push is on the wire.
          firstPush = false;
          local.enqueue(2);
          engineRef?.trigger('edit');
          engineRef?.trigger('poke');
          engineRef?.trigger('poke');
        }
        return base.remote.push(body);
      },
    };
    const { engine } = engineWith(local.store, remote, { editDebounceMs: 1 });
    engineRef = engine;
    await engine.syncNow();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await engine.syncNow();
    expect(base.maxInFlight()).toBe(1);
    expect(local.log.filter((l) => l.startsWith('push'))).toEqual(['push 1', 'push 2']);
    expect(local.pending()).toEqual([]);
  });

  it('never lets a cycle abandoned by stop() free the slot of the cycle that replaced it', async () => {
    const local = fakeStore([1]);
    const base = fakeRemote(local.log);
    const held: (() => void)[] = [];
    const remote: SyncRemote = {
      ...base.remote,
      push: async (body) => {
        await new Promise<void>((resolve) => held.push(resolve));
        return base.remote.push(body);
      },
    };
    const { engine } = engineWith(local.store, remote);
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(check()).toBe(true);
    };
    engine.trigger('poke');
    await waitFor(() => held.length === 1);
    // A refused sign-out stops and resumes the engine while the first push is still on the wire.
    engine.stop();
    engine.resume();
    engine.trigger('poke');
    await waitFor(() => held.length === 2);
    held[0]?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    engine.trigger('poke');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The second cycle is still running: a poke queues behind it instead of starting a third beside it.
    expect(held).toHaveLength(2);
    held[1]?.();
    await engine.syncNow();
    expect(local.pending()).toEqual([]);
    engine.stop();
  });

  it('moves to a new device when the server has seen ids this cache never allocated (restored backup)', async () => {
    // The cache was restored: its outbox counter is back at 3 while the server already processed up to 7.
    const local = fakeStore([2, 3]);
    const registered: { deviceId: string; lastMutationId: number }[] = [];
    let first = true;
    const { remote } = fakeRemote(local.log, {
      register: (body) => {
        registered.push(body);
        const lastAckedMutationId = first ? 7 : body.lastMutationId;
        first = false;
        return Promise.resolve({ lastAckedMutationId });
      },
    });
    const { engine } = engineWith(local.store, remote);
    await engine.syncNow();
    expect(registered).toHaveLength(2);
    expect(registered[1]?.deviceId).not.toBe(registered[0]?.deviceId);
    expect(registered[1]?.lastMutationId).toBe(1);
    // Pushed under the new device, so the server applies them instead of replaying old results for ids 2-3.
    expect(local.log.filter((l) => l.startsWith('push'))).toEqual(['push 2,3']);
    expect(local.pending()).toEqual([]);
  });

  it('keeps its device when the server acknowledged ids still in the outbox (a lost acknowledgement)', async () => {
    const local = fakeStore([4, 5]);
    const registered: string[] = [];
    const { remote } = fakeRemote(local.log, {
      register: (body) => {
        registered.push(body.deviceId);
        return Promise.resolve({ lastAckedMutationId: 5 });
      },
    });
    await engineWith(local.store, remote).engine.syncNow();
    // 4 and 5 may be the very edits the server applied: resending them under the same device replays, never re-applies.
    expect(registered).toHaveLength(1);
  });

  it('pulls every page until hasMore is false and resets on resetRequired', async () => {
    const local = fakeStore();
    const pages = [pullPage('', false, { resetRequired: true }), pullPage('p1', true), pullPage('p2', false)];
    const { remote } = fakeRemote(local.log, {
      pull: (body) => Promise.resolve(pages.shift() ?? pullPage(body.cursor ?? 'x')),
    });
    await engineWith(local.store, remote).engine.syncNow();
    expect(local.log.filter((l) => !l.startsWith('register') && l !== 'rotate')).toEqual([
      'reset',
      'applyPull p1',
      'applyPull p2',
    ]);
  });

  it('goes offline with a backoff retry when the server is unreachable, then succeeds and resets', async () => {
    const local = fakeStore([1]);
    let down = true;
    const { remote } = fakeRemote(local.log, {
      register: (body) =>
        down
          ? Promise.reject(new AppError('UNAVAILABLE', "Can't reach host."))
          : Promise.resolve({ lastAckedMutationId: body.lastMutationId }),
    });
    const scheduled: number[] = [];
    const timers = {
      setTimeout: ((_fn: () => void, ms: number) => {
        scheduled.push(ms);
        return 0 as unknown as ReturnType<typeof setTimeout>;
      }) as unknown as typeof setTimeout,
      clearTimeout: (() => undefined) as typeof clearTimeout,
    };
    const { engine } = engineWith(local.store, remote, { timers });
    const offline = await engine.syncNow();
    expect(offline).toMatchObject({ connection: 'offline', pendingCount: 1, lastError: { code: 'UNAVAILABLE' } });
    expect(offline.nextRetryAt).not.toBeNull();
    expect(local.lastError()?.code).toBe('UNAVAILABLE');
    // random() = 0.5: half of base (1 s) on the first failure.
    expect(scheduled.at(-1)).toBe(500);
    down = false;
    const online = await engine.syncNow();
    expect(online).toMatchObject({ connection: 'online', pendingCount: 0, lastError: null, nextRetryAt: null });
  });

  it('on SYNC_GAP rotates to a new device registered just below the oldest pending edit, and goes on', async () => {
    const local = fakeStore([7, 8]);
    let gapOnce = true;
    const devices: string[] = [];
    const base = fakeRemote(local.log);
    const remote: SyncRemote = {
      ...base.remote,
      push: (body) => {
        devices.push(body.deviceId);
        if (gapOnce) {
          gapOnce = false;
          return Promise.reject(new AppError('SYNC_GAP', 'expected 1'));
        }
        return base.remote.push(body);
      },
    };
    await engineWith(local.store, remote).engine.syncNow();
    expect(local.log.filter((l) => l === 'rotate' || l.startsWith('register'))).toEqual([
      'rotate',
      'register 6',
      'rotate',
      'register 6',
    ]);
    expect(devices[0]).not.toBe(devices[1]);
    expect(local.pending()).toEqual([]);
  });

  it('stops retrying on UPDATE_REQUIRED and says so', async () => {
    const local = fakeStore([1]);
    const { remote } = fakeRemote(local.log, {
      register: () => Promise.reject(new AppError('UPDATE_REQUIRED', 'Update KIKI Desktop.')),
    });
    const scheduled: number[] = [];
    const timers = {
      setTimeout: ((_fn: () => void, ms: number) => {
        scheduled.push(ms);
        return 0 as unknown as ReturnType<typeof setTimeout>;
      }) as unknown as typeof setTimeout,
      clearTimeout: (() => undefined) as typeof clearTimeout,
    };
    const { engine } = engineWith(local.store, remote, { timers });
    const status = await engine.syncNow();
    expect(status.lastError).toEqual({ code: 'UPDATE_REQUIRED', message: 'Update KIKI Desktop.' });
    expect(status.nextRetryAt).toBeNull();
    engine.trigger('poke');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(local.log.filter((l) => l.startsWith('register'))).toHaveLength(0);
    expect(scheduled.filter((ms) => ms > 0)).toEqual([]);
  });

  it('downloads recent metrics of every client before any history, and shows progress', async () => {
    const local = fakeStore();
    const clientB = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8e';
    const script = new Map<string, MetricsPullResponse[]>([
      [
        CLIENT,
        [metricsPage('recent', 'a1', true), metricsPage('history', 'a2', true), metricsPage('history', 'a3', false)],
      ],
      [clientB, [metricsPage('recent', 'b1', false), metricsPage('delta', 'b2', false, 0)]],
    ]);
    const order: string[] = [];
    const { remote } = fakeRemote(local.log, {
      pull: () => Promise.resolve(pullPage('c', false, { readableClientIds: [CLIENT, clientB] })),
      metricsPull: (body) => {
        const page = script.get(body.clientId)?.shift() ?? metricsPage('delta', 'z', false, 0);
        order.push(`${body.clientId === CLIENT ? 'A' : 'B'}:${page.phase}`);
        return Promise.resolve(page);
      },
    });
    const { engine, events } = engineWith(local.store, remote);
    await engine.syncNow();
    expect(order.slice(0, 3)).toEqual(['A:recent', 'A:history', 'B:recent']);
    expect(order.indexOf('A:history')).toBeLessThan(order.indexOf('B:recent') + 1);
    const progress = events
      .filter((e) => e.event === 'sync.status')
      .map((e) => (e.payload as { initialSync: { phase: string; usable: boolean } | null }).initialSync)
      .filter((p) => p !== null);
    expect(progress.some((p) => p.phase === 'catalog' && !p.usable)).toBe(true);
    expect(progress.some((p) => p.phase === 'recentMetrics' && !p.usable)).toBe(true);
    expect(progress.some((p) => p.usable)).toBe(true);
    expect(local.log.filter((l) => l.startsWith('finish'))).toEqual([
      'finish recent',
      'finish recent',
      'finish history',
      'finish history',
    ]);
  });

  it('asks for the next history page before writing the current one, so server and SQLite work overlap', async () => {
    const local = fakeStore();
    const pages = [
      metricsPage('recent', 'r1', true),
      metricsPage('history', 'h1', true),
      metricsPage('history', 'h2', true),
      metricsPage('history', 'h3', false),
    ];
    const { remote } = fakeRemote(local.log, {
      pull: () => Promise.resolve(pullPage('c', false, { readableClientIds: [CLIENT] })),
      metricsPull: (body) => {
        local.log.push(`request after ${body.cursor ?? 'start'}`);
        return Promise.resolve(pages.shift() ?? metricsPage('delta', 'z', false, 0));
      },
    });
    await engineWith(local.store, remote).engine.syncNow();
    const order = local.log.filter((l) => l.startsWith('request') || l.startsWith('snapshot'));
    // Pass 1 takes the recent days and holds (does not write) the first history page it stumbles on; pass 2
    // writes it, each time asking for the next page before writing the current one.
    expect(order).toEqual([
      'request after start',
      'snapshot recent 1',
      'request after r1',
      'request after h1',
      'snapshot history 1',
      'request after h2',
      'snapshot history 1',
      'snapshot history 1',
    ]);
  });

  it('follows a burst of pokes with metric deltas once at the start and once after the window, not per poke', async () => {
    const local = fakeStore();
    let metricRequests = 0;
    let pulls = 0;
    const { remote } = fakeRemote(local.log, {
      pull: () => {
        pulls += 1;
        return Promise.resolve(pullPage(`c${pulls}`, false, { readableClientIds: [CLIENT] }));
      },
      metricsPull: () => {
        metricRequests += 1;
        return Promise.resolve(metricsPage(metricRequests === 1 ? 'recent' : 'delta', `m${metricRequests}`, false));
      },
    });
    const { engine } = engineWith(local.store, remote, { metricsIntervalMs: 150 });
    await engine.syncNow();
    const afterFirstSync = metricRequests;
    for (let i = 0; i < 5; i++) {
      engine.trigger('poke');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await engine.syncNow();
    // syncNow is a user's explicit request: it always includes metrics. Pokes alone wait for the window.
    const afterNow = metricRequests;
    for (let i = 0; i < 5; i++) {
      engine.trigger('poke');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(metricRequests).toBe(afterNow);
    expect(pulls).toBeGreaterThan(5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(metricRequests).toBe(afterNow + 1);
    expect(afterFirstSync).toBeGreaterThan(0);
    engine.stop();
  });

  it('trims old metrics only when the window moved, not on every sync', async () => {
    const local = fakeStore();
    const pages: MetricsPullResponse[] = [metricsPage('recent', 'r1', true), metricsPage('history', 'h1', false)];
    const { remote } = fakeRemote(local.log, {
      pull: () => Promise.resolve(pullPage('c', false, { readableClientIds: [CLIENT] })),
      metricsPull: () => Promise.resolve(pages.shift() ?? metricsPage('delta', 'z', false, 0)),
    });
    const { engine } = engineWith(local.store, remote);
    await engine.syncNow();
    expect(local.log.filter((l) => l.startsWith('trim'))).toEqual([]);
    // A snapshot under way when the day rolled over: the next page reports a later window start.
    local.metricCursors.set(CLIENT, { cursor: 'r1', phase: 'history', done: 1, total: 2, windowStart: '2024-01-01' });
    pages.push({ ...metricsPage('history', 'h2', false), windowStart: '2024-01-02' });
    await engine.syncNow();
    expect(local.log.filter((l) => l.startsWith('trim'))).toEqual(['trim 2024-01-02']);
  });

  it("says the app is usable once every client's recent days are in, before any history is written", async () => {
    const local = fakeStore();
    const clientB = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8e';
    const script = new Map<string, MetricsPullResponse[]>([
      [CLIENT, [metricsPage('recent', 'a1', true), metricsPage('history', 'a2', false)]],
      [clientB, [metricsPage('recent', 'b1', true), metricsPage('history', 'b2', false)]],
    ]);
    const { remote } = fakeRemote(local.log, {
      pull: () => Promise.resolve(pullPage('c', false, { readableClientIds: [CLIENT, clientB] })),
      metricsPull: (body) => Promise.resolve(script.get(body.clientId)?.shift() ?? metricsPage('delta', 'z', false, 0)),
    });
    let usableLogged = false;
    const { engine } = engineWith(local.store, remote, {
      emit: (event, payload) => {
        const initial =
          event === 'sync.status' ? (payload as { initialSync: { usable: boolean } | null }).initialSync : null;
        if (initial?.usable === true && !usableLogged) {
          usableLogged = true;
          local.log.push('USABLE');
        }
      },
    });
    await engine.syncNow();
    const usableAt = local.log.indexOf('USABLE');
    expect(usableAt).toBeGreaterThan(-1);
    expect(local.log.slice(0, usableAt).filter((l) => l.startsWith('snapshot history'))).toEqual([]);
    expect(local.log.slice(0, usableAt).filter((l) => l === 'finish recent')).toHaveLength(2);
    expect(local.log.filter((l) => l.startsWith('snapshot history'))).toHaveLength(2);
  });

  it('re-pulls the catalogue and downloads a client again when its metrics named ads the device lacked', async () => {
    const local = fakeStore();
    local.unknownAdRows.set(CLIENT, 3);
    const metricCursorsAsked: (string | null)[] = [];
    let catalogPulls = 0;
    const { remote } = fakeRemote(local.log, {
      pull: () => {
        catalogPulls += 1;
        return Promise.resolve(pullPage(`c${catalogPulls}`, false, { readableClientIds: [CLIENT] }));
      },
      metricsPull: (body) => {
        metricCursorsAsked.push(body.cursor);
        // The second catalogue pull brought the missing ads.
        if (catalogPulls > 1) local.unknownAdRows.delete(CLIENT);
        return Promise.resolve(metricsPage('recent', `m${metricCursorsAsked.length}`, false));
      },
    });
    await engineWith(local.store, remote).engine.syncNow();
    expect(catalogPulls).toBe(2);
    expect(metricCursorsAsked[0]).toBeNull();
    expect(metricCursorsAsked.filter((c) => c === null)).toHaveLength(2);
  });

  it('resumes after a restart from the stored cursors instead of starting over', async () => {
    const local = fakeStore([3]);
    const first = fakeRemote(local.log, {
      pull: (body) => {
        local.log.push(`pull ${body.cursor ?? 'null'}`);
        return Promise.resolve(pullPage(body.cursor === null ? 'p1' : 'p2', body.cursor === null));
      },
    });
    const crashing = { ...first.remote, pull: () => Promise.reject(new AppError('UNAVAILABLE', 'down')) };
    const timers = {
      setTimeout: (() => 0) as unknown as typeof setTimeout,
      clearTimeout: (() => undefined) as typeof clearTimeout,
    };
    await engineWith(local.store, crashing, { timers }).engine.syncNow();
    expect(local.pending()).toEqual([]);
    // A new engine (restarted core) on the same store continues from the saved cursor.
    local.store.applyPull(pullPage('p1', true));
    local.log.length = 0;
    await engineWith(local.store, first.remote).engine.syncNow();
    expect(local.log.filter((l) => l.startsWith('pull'))).toEqual(['pull p1']);
  });

  it('idles while signed out', async () => {
    const local = fakeStore([1]);
    const status = await engineWith(local.store, null).engine.syncNow();
    expect(status.connection).toBe('signedOut');
    expect(local.log).toEqual([]);
  });
});
