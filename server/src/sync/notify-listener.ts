import pg from 'pg';
import { z } from 'zod';

/** The channel migration 0003's triggers notify on; payloads are {"o","v","c"?,"u"?}. */
export const SYNC_CHANNEL = 'kiki_sync';
/** Lets an operator (and the reconnect test) find this connection in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'kiki-sync-listener';

const payloadSchema = z.object({
  o: z.uuid(),
  v: z.number().int().nonnegative().optional(),
  c: z.uuid().optional(),
  u: z.uuid().optional(),
});

/** One committed change as the database announced it. */
export interface SyncNotification {
  orgId: string;
  /** The agency version the change committed at; absent for changes outside the versioned data (memberships). */
  version?: number;
  /** The advertiser client whose rows changed; absent for agency-wide changes. */
  clientId?: string;
  /** A user whose memberships (and so readable clients) changed. */
  userId?: string;
}

/** Null for a payload this server does not understand (a newer server's format): it is skipped, not fatal. */
export function parseSyncNotification(payload: string | undefined): SyncNotification | null {
  if (payload === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return null;
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) return null;
  const { o, v, c, u } = parsed.data;
  return {
    orgId: o,
    ...(v === undefined ? {} : { version: v }),
    ...(c === undefined ? {} : { clientId: c }),
    ...(u === undefined ? {} : { userId: u }),
  };
}

export interface NotifyListenerOptions {
  connectionString: string;
  onNotification: (notification: SyncNotification) => void;
  /**
   * Called after the connection came back: notifications sent while it was down are lost for good (NOTIFY is
   * not queued for absent listeners), so the caller must assume anything changed.
   */
  onReconnect: () => void;
  onError?: (error: Error) => void;
  /** First retry delay; doubles per failed attempt up to maxDelayMs, with full jitter. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface NotifyListener {
  /** Resolves once the first LISTEN is in place (rejects never: failures retry in the background). */
  readonly ready: Promise<void>;
  /** Whether a LISTEN connection is currently up. */
  isListening(): boolean;
  close(): Promise<void>;
}

/**
 * One dedicated connection per server instance, outside the pool: a pooled connection would be handed to
 * other queries and its LISTEN lost. If it drops (database restart, pg_terminate_backend, network) it is
 * re-established with capped exponential backoff and jitter, so a fleet of servers does not stampede the
 * database after a failover.
 */
export function startNotifyListener(options: NotifyListenerOptions): NotifyListener {
  const initialDelayMs = options.initialDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  let client: pg.Client | null = null;
  let listening = false;
  let closed = false;
  let attempt = 0;
  let everConnected = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const report = (error: unknown) => {
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
  };

  const scheduleRetry = () => {
    if (closed || retryTimer !== null) return;
    const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
    attempt += 1;
    retryTimer = setTimeout(
      () => {
        retryTimer = null;
        void connect();
      },
      Math.round(Math.random() * ceiling),
    );
  };

  const dropped = (which: pg.Client) => {
    if (client !== which) return;
    client = null;
    listening = false;
    which.removeAllListeners('notification');
    // The socket may already be gone; end() still releases the client's resources.
    which.end().catch(report);
    scheduleRetry();
  };

  const connect = async () => {
    if (closed) return;
    const candidate = new pg.Client({
      connectionString: options.connectionString,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
    });
    client = candidate;
    candidate.on('error', (error) => {
      report(error);
      dropped(candidate);
    });
    candidate.on('end', () => dropped(candidate));
    candidate.on('notification', (message) => {
      if (message.channel !== SYNC_CHANNEL) return;
      const notification = parseSyncNotification(message.payload);
      if (notification !== null) options.onNotification(notification);
    });
    try {
      await candidate.connect();
      await candidate.query(`LISTEN ${SYNC_CHANNEL}`);
    } catch (error) {
      report(error);
      dropped(candidate);
      return;
    }
    if (closed || client !== candidate) {
      await candidate.end().catch(report);
      return;
    }
    listening = true;
    attempt = 0;
    if (everConnected) options.onReconnect();
    everConnected = true;
    markReady();
  };

  void connect();

  return {
    ready,
    isListening: () => listening,
    close: async () => {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      const current = client;
      client = null;
      listening = false;
      markReady();
      if (current !== null) {
        current.removeAllListeners('notification');
        await current.end().catch(report);
      }
    },
  };
}
