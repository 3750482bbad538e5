import { WebSocket } from 'ws';
import { AppError } from '@kiki/shared/errors';
import {
  LIVE_CLOSE_UNAUTHENTICATED,
  LIVE_CLOSE_UPDATE_REQUIRED,
  liveMessageSchema,
  SYNC_PROTOCOL_VERSION,
  SYNC_SCHEMA_VERSION_HEADER,
} from '@kiki/shared/sync/sync-protocol';
import { isRetryable } from './sync-api.client';
import { createBackoff, type Backoff } from './backoff';

export interface LiveConnectionDeps {
  /** ws(s):// URL of the live endpoint, or null when signed out. */
  url: () => string | null;
  accessToken: () => Promise<string>;
  /** The server closed with 4401: get a new access token (refreshing even if ours looks unexpired). */
  renewAccess: (staleToken: string) => Promise<string>;
  /** The server says something changed: sync. `hello` counts too, since pokes may have been missed while away. */
  onPoke: (serverVersion: number) => void;
  onOpenChange: (open: boolean) => void;
  onUpdateRequired: (error: AppError) => void;
  /** Anything that stopped the socket for good (session lost); the caller decides what to show. */
  onFatal?: (error: unknown) => void;
  backoff?: Backoff;
  /** The server pings every 30 s; silence for this long means the link is dead even if TCP has not noticed. */
  silenceTimeoutMs?: number;
}

export interface LiveConnection {
  start(): void;
  stop(): void;
  isOpen(): boolean;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;
const DEFAULT_SILENCE_MS = 75_000;

/**
 * The WebSocket on which the team server pokes this device when something it can read changed. It carries no
 * data: a poke only triggers the engine's push-then-pull. Reconnects with backoff, renews the access token when
 * the server closes with 4401, and stops for good on 4426 (update required).
 */
export function createLiveConnection(deps: LiveConnectionDeps): LiveConnection {
  const backoff = deps.backoff ?? createBackoff();
  const silenceMs = deps.silenceTimeoutMs ?? DEFAULT_SILENCE_MS;
  let socket: WebSocket | null = null;
  let open = false;
  let stopped = true;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let silenceTimer: ReturnType<typeof setTimeout> | null = null;
  let attemptId = 0;

  const setOpen = (value: boolean) => {
    if (open === value) return;
    open = value;
    deps.onOpenChange(value);
  };

  const clearTimers = () => {
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    if (silenceTimer !== null) clearTimeout(silenceTimer);
    reconnectTimer = null;
    silenceTimer = null;
  };

  const scheduleReconnect = (delayMs: number) => {
    if (stopped) return;
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void connect();
    }, delayMs);
  };

  async function connect(renewFrom: string | null = null): Promise<void> {
    if (stopped) return;
    const url = deps.url();
    if (url === null) return;
    const myAttempt = ++attemptId;
    let token: string;
    try {
      token = renewFrom === null ? await deps.accessToken() : await deps.renewAccess(renewFrom);
    } catch (error) {
      if (stopped || myAttempt !== attemptId) return;
      if (isRetryable(error)) {
        scheduleReconnect(backoff.nextDelayMs());
        return;
      }
      // Refresh refused or keychain locked: the session service has already marked the session expired.
      stopped = true;
      deps.onFatal?.(error);
      return;
    }
    if (stopped || myAttempt !== attemptId) return;

    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}`, [SYNC_SCHEMA_VERSION_HEADER]: String(SYNC_PROTOCOL_VERSION) },
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: 64 * 1024,
    });
    socket = ws;
    let ended = false;
    let opened = false;
    let refusedStatus: number | null = null;

    const armSilence = () => {
      if (silenceTimer !== null) clearTimeout(silenceTimer);
      silenceTimer = setTimeout(() => ws.terminate(), silenceMs);
    };

    const end = (code: number) => {
      if (ended) return;
      ended = true;
      if (socket === ws) socket = null;
      // A socket closed by stop() can report its close after start() opened the next one: it must neither
      // flip the status nor schedule a reconnect, or a second, untracked socket would appear.
      if (myAttempt !== attemptId) return;
      if (silenceTimer !== null) clearTimeout(silenceTimer);
      silenceTimer = null;
      setOpen(false);
      if (stopped) return;
      if (code === LIVE_CLOSE_UPDATE_REQUIRED || refusedStatus === 426) {
        stopped = true;
        deps.onUpdateRequired(
          new AppError('UPDATE_REQUIRED', 'The team server needs a newer KIKI Desktop. Update the app, then sync.'),
        );
        return;
      }
      if ((code === LIVE_CLOSE_UNAUTHENTICATED || refusedStatus === 401) && (opened || renewFrom === null)) {
        // Our access token expired or the session was revoked: renew it once, straight away. A token refused
        // right after renewal goes through the backoff instead, so a clock skew cannot spin this loop.
        void connect(token);
        return;
      }
      scheduleReconnect(backoff.nextDelayMs());
    };

    ws.on('open', () => {
      if (myAttempt !== attemptId) {
        ws.close(1000, 'superseded');
        return;
      }
      opened = true;
      backoff.reset();
      setOpen(true);
      armSilence();
    });
    ws.on('ping', () => {
      if (myAttempt === attemptId) armSilence();
    });
    ws.on('message', (data, isBinary) => {
      if (myAttempt !== attemptId) return;
      armSilence();
      if (isBinary) return;
      let parsed: unknown;
      try {
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch {
        // Not our protocol: ignoring one odd frame beats dropping a working connection.
        return;
      }
      const message = liveMessageSchema.safeParse(parsed);
      if (message.success) deps.onPoke(message.data.serverVersion);
    });
    ws.on('unexpected-response', (request, response) => {
      // The server refused the upgrade with a plain HTTP answer (401, 426, 5xx): remember why, then drop it.
      refusedStatus = response.statusCode ?? null;
      response.resume();
      request.destroy();
      end(1006);
    });
    ws.on('error', () => {
      // 'close' follows every 'error'; reconnecting is decided there.
    });
    ws.on('close', (code) => end(code));
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      backoff.reset();
      void connect();
    },
    stop() {
      stopped = true;
      attemptId += 1;
      clearTimers();
      const ws = socket;
      socket = null;
      if (ws !== null) {
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'signed out or closing');
      }
      setOpen(false);
    },
    isOpen: () => open,
  };
}
