import diagnosticsChannel from 'node:diagnostics_channel';

/** Node's fetch (undici) publishes here once a request's body is written to the socket. */
const BODY_SENT_CHANNEL = 'undici:request:bodySent';
/** A new connection (TCP connect, then write) took 13 turns on 127.0.0.1; a kept-alive one takes 1 or 2. */
export const MAX_TURNS = 32;

interface BodySentMessage {
  request?: { path?: unknown };
}

/**
 * Lets the event loop turn until a request to `path` has left (or MAX_TURNS turns have passed, so a custom fetch
 * or a slow connect never stalls the caller); returns the turns it took. The caller is about to block the thread on synchronous work (a
 * SQLite transaction of 50,000 rows) right after starting the request through async layers (session, fetch):
 * without this the request would only be written after that work, and the server's share would not overlap it.
 */
export async function yieldUntilRequestSent(path: string): Promise<number> {
  let sent = false;
  let turn = 0;
  const onSent = (message: unknown) => {
    const requestPath = (message as BodySentMessage).request?.path;
    if (typeof requestPath === 'string' && requestPath.startsWith(path)) sent = true;
  };
  diagnosticsChannel.subscribe(BODY_SENT_CHANNEL, onSent);
  try {
    for (; turn < MAX_TURNS && !sent; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    diagnosticsChannel.unsubscribe(BODY_SENT_CHANNEL, onSent);
  }
  return turn;
}
