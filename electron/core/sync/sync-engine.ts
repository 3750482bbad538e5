import { AppError, type AppErrorShape } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import type { SyncStatus } from '@kiki/shared/contract/sync-contract';
import {
  PUSH_MAX_MUTATIONS,
  syncEntityTypeSchema,
  type MetricsPullRequest,
  type MetricsPullResponse,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  type PushResponse,
  type WireMutation,
} from '@kiki/shared/sync/sync-protocol';
import { createBackoff, type Backoff } from './backoff';
import { isRetryable } from './sync-api.client';
import { syncClientMetrics, type MetricsApplierPort, type MetricsProgress } from './metrics-sync.service';

/** The local side of sync: SQLite in the app (sync-store.ts), an in-memory fake in the engine's tests. */
export interface SyncStore {
  deviceId(): string | null;
  /** Gives this install a new device id (after SYNC_GAP); its outbox ids carry on. */
  rotateDeviceId(deviceId: string): void;
  cursor(): string | null;
  initialSyncDone(): boolean;
  lastSyncedAt(): string | null;
  listPending(limit: number): WireMutation[];
  countPending(): number;
  highestMutationId(): number;
  /** The highest outbox id this device will never send: everything below the oldest pending edit. */
  registrationMutationId(): number;
  applyPush(sent: WireMutation[], response: PushResponse): { touched: string[] };
  applyPull(page: PullResponse): { touched: string[] };
  /** Drops every synced row (keeps the outbox) and the pull cursor. */
  resetSyncedData(): void;
  knownClientIds(): string[];
  markSynced(at: Date): void;
  setLastError(error: AppErrorShape | null): void;
  issueCount(): number;
  metrics: MetricsApplierPort;
}

/** The team server as the engine sees it; tokens and their refresh are the session's business. */
export interface SyncRemote {
  register(body: { deviceId: string; lastMutationId: number; deviceName?: string }): Promise<{
    lastAckedMutationId: number;
  }>;
  push(body: PushRequest): Promise<PushResponse>;
  pull(body: PullRequest): Promise<PullResponse>;
  metricsPull(body: MetricsPullRequest): Promise<MetricsPullResponse>;
}

export type SyncTrigger = 'start' | 'edit' | 'poke' | 'now' | 'online' | 'retry';

export interface SyncEngineDeps {
  store: SyncStore;
  /** The signed-in server, or null when signed out or expired (the engine then idles). */
  remote: () => SyncRemote | null;
  now: () => Date;
  emit: (event: string, payload: unknown) => void;
  /** The session could not be renewed (tokens refused, keychain locked): stop until the next sign-in. */
  isAuthLost?: (error: unknown) => boolean;
  backoff?: Backoff;
  /** Local edits arrive in bursts (typing): at most one edit-triggered cycle per this window. Default 50 ms. */
  editDebounceMs?: number;
  deviceName?: string;
  timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
  /**
   * Pokes come for every change in the agency; metric deltas (one request per client) follow them at most once per
   * this window, the last poke of a burst catching up after it. Default 2 s.
   */
  metricsIntervalMs?: number;
  /** Metrics page size; tests use small pages. */
  metricsPageSize?: number;
  pullPageSize?: number;
}

export interface SyncEngine {
  trigger(reason: SyncTrigger): void;
  /** Push then pull now (resets the backoff); resolves with the status once that sync has ended. */
  syncNow(): Promise<SyncStatus>;
  status(): SyncStatus;
  /** The live socket opened or closed; feeds status.connection. */
  setLiveConnected(connected: boolean): void;
  /** Local data changed outside a sync (an edit): recompute and emit status. */
  refreshStatus(): void;
  /** Stops timers and the loop; an in-flight request is abandoned and its result ignored. */
  stop(): void;
  /** Starts again after stop() (a new sign-in). */
  resume(): void;
}

class Stopped extends Error {
  constructor() {
    super('sync stopped');
  }
}

const MAX_PUSH_ROUNDS = 10_000;
const MAX_RESETS_PER_CYCLE = 2;

/**
 * One loop that syncs this install with the team server: register → push every pending edit → pull every page
 * → metrics → done. Never two cycles at once: a trigger during a cycle runs one more cycle after it. Push always
 * precedes pull, so pulled rows already include our own edits and rebasing stays small. Every bit of progress
 * (outbox, cursors) is in SQLite, so a core killed mid-cycle resumes where it stopped.
 */
export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  const { store } = deps;
  const timers = deps.timers ?? { setTimeout, clearTimeout };
  const backoff = deps.backoff ?? createBackoff();
  const debounceMs = deps.editDebounceMs ?? 50;

  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  /** UPDATE_REQUIRED or a lost session: no automatic retries until resumed. */
  let halted = false;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let nextRetryAt: Date | null = null;
  let liveConnected = false;
  let lastRequestOk: boolean | null = null;
  let syncing = false;
  let lastError: AppErrorShape | null = null;
  let initialSync: SyncStatus['initialSync'] = null;
  let registeredDevice: string | null = null;
  /** From the last pull page: the clients whose metrics this device keeps. */
  let readableClients: string[] = [];
  let lastEmitted = '';
  let lastEditCycleAt = 0;
  let lastMetricsAt = Number.NEGATIVE_INFINITY;
  /** Set by every trigger but pokes and edits: that cycle fetches metric deltas whatever the throttle says. */
  let metricsForced = true;
  let metricsTimer: ReturnType<typeof setTimeout> | null = null;
  const metricsIntervalMs = deps.metricsIntervalMs ?? 2_000;

  function computeStatus(): SyncStatus {
    const signedIn = deps.remote() !== null;
    let connection: SyncStatus['connection'];
    if (!signedIn) connection = 'signedOut';
    else if (liveConnected || lastRequestOk === true) connection = 'online';
    else if (lastRequestOk === false) connection = 'offline';
    else connection = 'connecting';
    return {
      connection,
      syncing,
      pendingCount: store.countPending(),
      lastSyncedAt: store.lastSyncedAt(),
      lastError,
      nextRetryAt: nextRetryAt?.toISOString() ?? null,
      issueCount: store.issueCount(),
      initialSync,
    };
  }

  function refreshStatus(): void {
    if (stopped) return;
    const status = computeStatus();
    const serialized = JSON.stringify(status);
    if (serialized === lastEmitted) return;
    lastEmitted = serialized;
    deps.emit('sync.status', status);
  }

  function touched(entities: readonly string[]): void {
    if (entities.length > 0) deps.emit('data.changed', { entities: [...new Set(entities)] });
  }

  function clearTimer(): void {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    nextRetryAt = null;
  }

  function schedule(delayMs: number, isRetry: boolean): void {
    clearTimer();
    if (isRetry) nextRetryAt = new Date(deps.now().getTime() + delayMs);
    timer = timers.setTimeout(() => {
      timer = null;
      nextRetryAt = null;
      start();
    }, delayMs);
    refreshStatus();
  }

  function start(): void {
    if (stopped || halted) return;
    if (running) {
      again = true;
      return;
    }
    if (deps.remote() === null) {
      refreshStatus();
      return;
    }
    const myGeneration = generation;
    const cycle: Promise<void> = runCycle(myGeneration).finally(() => {
      // stop() forgets a cycle whose request is still in flight and a resumed engine may have started the
      // next one: only the cycle that is still the current one may clear the slot, or a third could start
      // beside the second.
      if (running === cycle) running = null;
      if (stopped || myGeneration !== generation) return;
      if (again) {
        again = false;
        start();
      }
    });
    running = cycle;
  }

  async function runCycle(myGeneration: number): Promise<void> {
    const checkpoint = () => {
      if (stopped || myGeneration !== generation) throw new Stopped();
    };
    syncing = true;
    refreshStatus();
    try {
      const remote = deps.remote();
      if (remote === null) return;
      await pushAll(remote, checkpoint);
      await pullAll(remote, checkpoint);
      await syncMetrics(remote, checkpoint);
      checkpoint();
      store.markSynced(deps.now());
      store.setLastError(null);
      lastError = null;
      lastRequestOk = true;
      initialSync = null;
      backoff.reset();
    } catch (error) {
      if (error instanceof Stopped || stopped || myGeneration !== generation) return;
      onFailure(error);
    } finally {
      if (!stopped && myGeneration === generation) {
        syncing = false;
        refreshStatus();
      }
    }
  }

  function onFailure(error: unknown): void {
    const shape: AppErrorShape =
      error instanceof AppError
        ? error.toJSON()
        : { code: 'INTERNAL', message: `Sync failed unexpectedly (${String(error)}). It will try again.` };
    // details may carry a server's or keychain's cause text: useful in a log, not in the status line.
    lastError = { code: shape.code, message: shape.message };
    store.setLastError(lastError);
    if (shape.code === 'UPDATE_REQUIRED' || deps.isAuthLost?.(error) === true) {
      halted = true;
      clearTimer();
      if (shape.code === 'UPDATE_REQUIRED') lastRequestOk = true;
      return;
    }
    if (isRetryable(error)) lastRequestOk = false;
    schedule(backoff.nextDelayMs(), true);
  }

  async function ensureRegistered(remote: SyncRemote, checkpoint: () => void): Promise<string> {
    let deviceId = store.deviceId();
    if (deviceId === null) {
      deviceId = newId();
      store.rotateDeviceId(deviceId);
    }
    if (registeredDevice === deviceId) return deviceId;
    const reply = await remote.register({
      deviceId,
      lastMutationId: store.registrationMutationId(),
      ...deviceNameField(),
    });
    checkpoint();
    if (reply.lastAckedMutationId > store.highestMutationId()) {
      // The server has processed ids this cache never allocated: it was restored from a backup or lost its
      // last commits to an OS crash, so its next edits would reuse those ids and be dropped as duplicates.
      // A fresh device id, registered below the oldest pending edit, sends them as the new edits they are.
      deviceId = newId();
      store.rotateDeviceId(deviceId);
      await remote.register({ deviceId, lastMutationId: store.registrationMutationId(), ...deviceNameField() });
      checkpoint();
    }
    registeredDevice = deviceId;
    lastRequestOk = true;
    return deviceId;
  }

  function deviceNameField(): { deviceName?: string } {
    return deps.deviceName !== undefined ? { deviceName: deps.deviceName } : {};
  }

  async function pushAll(remote: SyncRemote, checkpoint: () => void): Promise<void> {
    let deviceId = await ensureRegistered(remote, checkpoint);
    let rotated = false;
    for (let round = 0; round < MAX_PUSH_ROUNDS; round++) {
      const batch = store.listPending(PUSH_MAX_MUTATIONS);
      if (batch.length === 0) return;
      let response: PushResponse;
      try {
        response = await remote.push({ deviceId, mutations: batch });
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'SYNC_GAP' || rotated) throw error;
        checkpoint();
        // The server lost track of this device (restored backup, pruned device): a fresh device id registered
        // just below our oldest pending edit never collides with an id the server already saw.
        rotated = true;
        deviceId = newId();
        store.rotateDeviceId(deviceId);
        registeredDevice = null;
        deviceId = await ensureRegistered(remote, checkpoint);
        continue;
      }
      checkpoint();
      lastRequestOk = true;
      const before = store.countPending();
      touched(store.applyPush(batch, response).touched);
      refreshStatus();
      if (store.countPending() >= before) {
        throw new AppError('INTERNAL', 'The team server acknowledged none of the pending changes; will retry.');
      }
    }
  }

  async function pullAll(remote: SyncRemote, checkpoint: () => void): Promise<void> {
    const deviceId = await ensureRegistered(remote, checkpoint);
    let resets = 0;
    for (;;) {
      const cursor = store.cursor();
      const firstDownload = !store.initialSyncDone();
      const page = await remote.pull({
        deviceId,
        cursor,
        knownClientIds: store.knownClientIds(),
        ...(deps.pullPageSize !== undefined ? { limit: deps.pullPageSize } : {}),
      });
      checkpoint();
      lastRequestOk = true;
      if (page.resetRequired) {
        if (++resets > MAX_RESETS_PER_CYCLE) {
          throw new AppError('INTERNAL', 'The team server keeps asking for a full download; try again later.');
        }
        store.resetSyncedData();
        touched([...syncEntityTypeSchema.options, 'metrics']);
        continue;
      }
      touched(store.applyPull(page).touched);
      if (firstDownload || cursor === null) {
        initialSync = {
          phase: 'catalog',
          done: page.progress?.done ?? 0,
          total: page.progress?.total ?? 0,
          usable: false,
        };
      }
      refreshStatus();
      if (!page.hasMore) {
        readableClients = page.readableClientIds;
        return;
      }
    }
  }

  async function syncMetrics(remote: SyncRemote, checkpoint: () => void): Promise<void> {
    const deviceId = store.deviceId();
    if (deviceId === null) return;
    const snapshotting = readableClients.some((clientId) => store.metrics.getCursor(clientId).phase !== 'delta');
    const sinceLast = Date.now() - lastMetricsAt;
    if (!metricsForced && !snapshotting && sinceLast < metricsIntervalMs) {
      metricsTimer ??= timers.setTimeout(() => {
        metricsTimer = null;
        metricsForced = true;
        start();
      }, metricsIntervalMs - sinceLast);
      return;
    }
    const showProgress = !store.initialSyncDone();
    const run = (clientIds: readonly string[]) =>
      syncClientMetrics(clientIds, {
        applier: store.metrics,
        pull: ({ clientId, cursor, limit }) => remote.metricsPull({ deviceId, clientId, cursor, limit }),
        checkpoint: () => {
          checkpoint();
          lastRequestOk = true;
        },
        onProgress: (progress: MetricsProgress) => {
          if (showProgress) initialSync = progress;
          touched(['metrics']);
          refreshStatus();
        },
        ...(deps.metricsPageSize !== undefined ? { pageSize: deps.metricsPageSize } : {}),
      });
    const { clientsWithUnknownAds } = await run(readableClients);
    metricsForced = false;
    lastMetricsAt = Date.now();
    if (clientsWithUnknownAds.length === 0) return;
    // Rows of ads created after our catalogue pull were skipped and their cursor moved past them: fetch the new
    // ads, then download those clients' metrics again so no row stays missing.
    await pullAll(remote, checkpoint);
    for (const clientId of clientsWithUnknownAds) {
      store.metrics.saveCursor(clientId, { cursor: null, phase: null, done: 0, total: 0 });
    }
    await run(clientsWithUnknownAds.filter((clientId) => readableClients.includes(clientId)));
  }

  return {
    trigger(reason) {
      if (stopped) return;
      if (reason === 'now' || reason === 'online') {
        halted = false;
        backoff.reset();
      }
      if (reason !== 'poke' && reason !== 'edit') metricsForced = true;
      if (reason === 'edit') {
        refreshStatus();
        // A scheduled backoff retry stays scheduled: an edit while offline must not hammer the server.
        if (nextRetryAt !== null || timer !== null) return;
        // Throttled rather than delayed: the first edit after a quiet spell goes at once (a teammate sees it
        // sooner), and the rest of a burst rides along in the cycle after it, at most one cycle per window.
        const sinceLast = Date.now() - lastEditCycleAt;
        if (running || sinceLast >= debounceMs) {
          lastEditCycleAt = Date.now();
          start();
        } else {
          schedule(debounceMs - sinceLast, false);
        }
        return;
      }
      clearTimer();
      start();
    },

    async syncNow() {
      metricsForced = true;
      halted = false;
      backoff.reset();
      clearTimer();
      // A cycle already running may have read the outbox before the latest edit: queue one more after it.
      if (running) again = true;
      else start();
      while (running) await running;
      return computeStatus();
    },

    status: computeStatus,
    refreshStatus,

    setLiveConnected(connected) {
      liveConnected = connected;
      refreshStatus();
    },

    stop() {
      stopped = true;
      generation += 1;
      clearTimer();
      if (metricsTimer !== null) timers.clearTimeout(metricsTimer);
      metricsTimer = null;
      running = null;
      again = false;
      syncing = false;
    },

    resume() {
      stopped = false;
      halted = false;
      registeredDevice = null;
      lastRequestOk = null;
      lastError = null;
      initialSync = null;
      lastEmitted = '';
      metricsForced = true;
      generation += 1;
      backoff.reset();
      refreshStatus();
    },
  };
}
