import { Counter, Gauge } from 'prom-client';
import { LIVE_CLOSE_UNAUTHENTICATED, type LiveMessage } from '@kiki/shared/sync/sync-protocol';
import { metricsRegistry } from '../plugins/observability';
import type { SyncNotification } from './notify-listener';

export const liveConnectionsGauge = new Gauge({
  name: 'kiki_live_connections',
  help: 'Open sync WebSocket connections on this server instance.',
  registers: [metricsRegistry],
});
export const livePokesTotal = new Counter({
  name: 'kiki_live_pokes_total',
  help: 'Pokes sent to sync WebSocket connections.',
  registers: [metricsRegistry],
});

/** The parts of a `ws` WebSocket the hub uses (a fake in unit tests). */
export interface LiveSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Buffer, options: { binary: boolean }): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  on(event: 'pong' | 'close', listener: () => void): unknown;
}
const OPEN = 1;

export type ReadableClients = 'all' | ReadonlySet<string>;

export interface LiveConnectionInfo {
  orgId: string;
  userId: string;
  sessionId: string;
  readable: ReadableClients;
  /** When the access token the socket was opened with expires: the socket closes then with 4401. */
  expiresAt: Date;
}

interface LiveConnection extends LiveConnectionInfo {
  socket: LiveSocket;
  alive: boolean;
  closed: boolean;
  /** A poke withheld while the socket's send buffer was backed up; sent once it drains. */
  heldVersion: number | null;
  expiryTimer: NodeJS.Timeout;
}

export interface LiveHubDeps {
  /** Advertiser clients the user can read now. */
  readableClients(orgId: string, userId: string): Promise<ReadableClients>;
  /** Of these sessions, the ones still usable (not revoked, not expired, user active). */
  liveSessions(sessionIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** Current agency versions, for pokes that carry none (after a listener reconnect). */
  currentVersions(orgIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  onError(error: unknown): void;
  /** Pokes to one connection within this window become one, carrying the highest version. */
  coalesceMs?: number;
  /** A socket with more than this many bytes unsent is skipped and poked once when it drains. */
  maxBufferedBytes?: number;
  pingIntervalMs?: number;
  drainCheckMs?: number;
}

export interface LiveHub {
  /** Registers an open socket; it is forgotten when it closes. */
  add(socket: LiveSocket, info: LiveConnectionInfo): void;
  /** Fans one database notification out to the local connections it concerns. */
  handle(notification: SyncNotification): void;
  /** After a listener reconnect: notifications may have been missed, so every connection is poked. */
  pokeEveryone(): void;
  size(): number;
  /** Resolves when no poke is queued or being sent (for tests and benchmarks). */
  idle(): Promise<void>;
  close(): void;
}

/**
 * Fan-out of database change notifications to this instance's WebSockets. Connections are indexed by agency and
 * by user; each knows which advertiser clients it may read, so a change to client A never pokes someone limited
 * to client B (a poke carries no data, but who changed what and when is still not theirs to see).
 *
 * Sends are batched: every poke due within `coalesceMs` goes out in one flush, at most one per connection, after
 * one query that re-checks the sessions involved, so a revoked session is closed (4401) at its next poke.
 */
export function createLiveHub(deps: LiveHubDeps): LiveHub {
  const reportError = (error: unknown) => deps.onError(error);
  const coalesceMs = deps.coalesceMs ?? 10;
  const maxBufferedBytes = deps.maxBufferedBytes ?? 64 * 1024;
  const byOrg = new Map<string, Set<LiveConnection>>();
  const byUser = new Map<string, Set<LiveConnection>>();
  const held = new Set<LiveConnection>();
  let due = new Map<LiveConnection, number>();
  let flushTimer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;
  let drainTimer: NodeJS.Timeout | null = null;
  let closing = false;

  const index = (map: Map<string, Set<LiveConnection>>, key: string, conn: LiveConnection) => {
    let set = map.get(key);
    if (set === undefined) {
      set = new Set();
      map.set(key, set);
    }
    set.add(conn);
  };
  const unindex = (map: Map<string, Set<LiveConnection>>, key: string, conn: LiveConnection) => {
    const set = map.get(key);
    if (set === undefined) return;
    set.delete(conn);
    if (set.size === 0) map.delete(key);
  };

  // One encoded frame payload per version, shared by every connection a flush pokes with it.
  let encoded = new Map<number, Buffer>();
  const pokeFor = (version: number): Buffer => {
    let payload = encoded.get(version);
    if (payload === undefined) {
      const message: LiveMessage = { type: 'poke', serverVersion: version };
      payload = Buffer.from(JSON.stringify(message));
      encoded.set(version, payload);
    }
    return payload;
  };

  /** Whether a poke went out. */
  const deliver = (conn: LiveConnection, version: number): boolean => {
    if (conn.closed || conn.socket.readyState !== OPEN) return false;
    if (conn.socket.bufferedAmount > maxBufferedBytes) {
      // A client that does not read must not make the server buffer without bound: remember one version only.
      conn.heldVersion = Math.max(conn.heldVersion ?? 0, version);
      held.add(conn);
      drainTimer ??= setInterval(checkDrained, deps.drainCheckMs ?? 100);
      return false;
    }
    conn.socket.send(pokeFor(version), { binary: false });
    return true;
  };

  const checkDrained = () => {
    for (const conn of held) {
      if (conn.closed) {
        held.delete(conn);
      } else if (conn.socket.bufferedAmount <= maxBufferedBytes) {
        held.delete(conn);
        const version = conn.heldVersion ?? 0;
        conn.heldVersion = null;
        schedule(conn, version);
      }
    }
    if (held.size === 0 && drainTimer !== null) {
      clearInterval(drainTimer);
      drainTimer = null;
    }
  };

  const flush = async () => {
    const batch = due;
    due = new Map();
    encoded = new Map();
    const sessions = new Set<string>();
    for (const conn of batch.keys()) if (!conn.closed) sessions.add(conn.sessionId);
    let alive: ReadonlySet<string> | null = null;
    try {
      alive = sessions.size === 0 ? new Set() : await deps.liveSessions([...sessions]);
    } catch (error) {
      // A poke carries no data and the pull it triggers authenticates again, so a failed check still pokes.
      deps.onError(error);
    }
    let sent = 0;
    for (const [conn, version] of batch) {
      if (conn.closed) continue;
      if (alive !== null && !alive.has(conn.sessionId)) {
        conn.socket.close(LIVE_CLOSE_UNAUTHENTICATED, 'session ended; refresh and reconnect');
        continue;
      }
      if (deliver(conn, version)) sent += 1;
    }
    livePokesTotal.inc(sent);
  };

  const startFlush = () => {
    flushTimer = null;
    flushing = flush()
      .catch(reportError)
      .finally(() => {
        flushing = null;
        if (due.size > 0) armFlush();
      });
  };
  const armFlush = () => {
    if (closing || flushTimer !== null || flushing !== null) return;
    flushTimer = setTimeout(startFlush, coalesceMs);
  };

  const schedule = (conn: LiveConnection, version: number) => {
    if (conn.closed) return;
    due.set(conn, Math.max(due.get(conn) ?? 0, version));
    armFlush();
  };

  const canRead = (conn: LiveConnection, clientId: string) => conn.readable === 'all' || conn.readable.has(clientId);

  const refreshUser = async (orgId: string, userId: string, version: number) => {
    const conns = [...(byUser.get(userId) ?? [])].filter((c) => c.orgId === orgId);
    if (conns.length === 0) return;
    const readable = await deps.readableClients(orgId, userId);
    for (const conn of conns) {
      conn.readable = readable;
      schedule(conn, version);
    }
  };

  /*
   * kiki_sync_version() announces every version it allocates without a client ({"o","v"}), and the row triggers
   * of the same transaction then announce it per client ({"o","v","c"}), all delivered together at commit. The
   * client-less one is only a real agency-wide change when no scoped one follows; otherwise it would poke
   * users limited to other clients about every change. So it waits a few coalescing windows first.
   */
  const scopedVersions = new Map<string, number>();
  const agencyWide = new Map<string, { orgId: string; version: number }>();
  let agencyWideTimer: NodeJS.Timeout | null = null;
  const holdAgencyWide = (orgId: string, version: number) => {
    agencyWide.set(`${orgId}|${version}`, { orgId, version });
    agencyWideTimer ??= setTimeout(releaseAgencyWide, coalesceMs * 3);
  };
  const releaseAgencyWide = () => {
    agencyWideTimer = null;
    for (const [key, { orgId, version }] of agencyWide) {
      if (scopedVersions.has(key)) continue;
      for (const conn of byOrg.get(orgId) ?? []) schedule(conn, version);
    }
    agencyWide.clear();
    forgetOldScopedVersions();
  };
  const forgetOldScopedVersions = () => {
    const staleBefore = Date.now() - 5_000;
    for (const [key, seenAt] of scopedVersions) if (seenAt < staleBefore) scopedVersions.delete(key);
  };

  const pingTimer = setInterval(() => {
    for (const conns of byOrg.values()) {
      for (const conn of conns) {
        if (!conn.alive) {
          conn.socket.terminate();
          continue;
        }
        conn.alive = false;
        conn.socket.ping();
      }
    }
  }, deps.pingIntervalMs ?? 30_000);
  pingTimer.unref();

  return {
    add(socket, info) {
      const delay = Math.max(0, Math.min(info.expiresAt.getTime() - Date.now(), 2 ** 31 - 1));
      const conn: LiveConnection = {
        ...info,
        socket,
        alive: true,
        closed: false,
        heldVersion: null,
        expiryTimer: setTimeout(() => socket.close(LIVE_CLOSE_UNAUTHENTICATED, 'access token expired'), delay),
      };
      conn.expiryTimer.unref();
      index(byOrg, info.orgId, conn);
      index(byUser, info.userId, conn);
      liveConnectionsGauge.inc();
      socket.on('pong', () => {
        conn.alive = true;
      });
      socket.on('close', () => {
        if (conn.closed) return;
        conn.closed = true;
        clearTimeout(conn.expiryTimer);
        unindex(byOrg, conn.orgId, conn);
        unindex(byUser, conn.userId, conn);
        held.delete(conn);
        due.delete(conn);
        liveConnectionsGauge.dec();
      });
    },

    handle(notification) {
      const { orgId, version, clientId, userId } = notification;
      if (!byOrg.has(orgId)) return;
      if (userId !== undefined) {
        const withVersion =
          version !== undefined
            ? Promise.resolve(version)
            : deps.currentVersions([orgId]).then((versions) => versions.get(orgId) ?? 0);
        withVersion.then((v) => refreshUser(orgId, userId, v)).catch(reportError);
        return;
      }
      if (version === undefined) return;
      if (clientId === undefined) {
        holdAgencyWide(orgId, version);
        return;
      }
      scopedVersions.set(`${orgId}|${version}`, Date.now());
      if (scopedVersions.size > 10_000) forgetOldScopedVersions();
      for (const conn of byOrg.get(orgId) ?? []) {
        if (canRead(conn, clientId)) schedule(conn, version);
      }
    },

    pokeEveryone() {
      const orgIds = [...byOrg.keys()];
      if (orgIds.length === 0) return;
      deps
        .currentVersions(orgIds)
        .then((versions) => {
          for (const [orgId, conns] of byOrg) {
            const version = versions.get(orgId) ?? 0;
            for (const conn of conns) schedule(conn, version);
          }
        })
        .catch(reportError);
    },

    size: () => [...byOrg.values()].reduce((n, set) => n + set.size, 0),

    async idle() {
      while (flushTimer !== null || flushing !== null || due.size > 0) {
        if (flushing !== null) await flushing;
        else await new Promise((r) => setTimeout(r, coalesceMs));
      }
    },

    close() {
      closing = true;
      clearInterval(pingTimer);
      if (flushTimer !== null) clearTimeout(flushTimer);
      if (drainTimer !== null) clearInterval(drainTimer);
      if (agencyWideTimer !== null) clearTimeout(agencyWideTimer);
      for (const conns of byOrg.values()) for (const conn of conns) clearTimeout(conn.expiryTimer);
    },
  };
}
