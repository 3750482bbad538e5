import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { AppError } from '@kiki/shared/errors';
import type { RpcHandlers } from '@kiki/shared/contract/rpc-handlers';
import { createRpcDispatcher, type RpcDispatch } from '@kiki/shared/rpc/rpc-dispatcher';
import { createRpcEndpoint, rpcEventMessage } from '@kiki/shared/rpc/rpc-endpoint';
import { checkRpcUpgrade, isAllowedHost, ownOrigin } from './request-guard';
import { createStaticFiles, sendText } from './static-files';

/** The part of core's AppCore the host needs; `createAppCore` returns one. */
export interface HostedCore {
  handlers: RpcHandlers;
  onEvent: (listener: (event: string, payload: unknown) => void) => () => void;
  close: () => void;
}

export interface WebHostOptions {
  /** 0 or omitted: any free port. */
  port?: number;
  /** Spelled out so no caller can think another interface is an option. */
  host: '127.0.0.1';
  /** Per-run secret; a random one is made when omitted. Tests pass a fixed one. */
  token?: string;
  dataDir: string;
  demo: boolean;
  rendererDir: string;
  createCore: (options: { dataDir: string; demo: boolean }) => Promise<HostedCore>;
  logger?: Logger;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;
const MIN_TOKEN_LENGTH = 16;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

function refuseUpgrade(socket: Duplex, status: number, reason: string) {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

/** Says goodbye properly, but never lets a client that does not answer keep the host alive. */
async function closeClients(sockets: WebSocketServer): Promise<void> {
  const clients = [...sockets.clients];
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            client.terminate();
            resolve();
          }, 1_000);
          client.once('close', () => {
            clearTimeout(force);
            resolve();
          });
          client.close(1001, 'web host shutting down');
        }),
    ),
  );
}

function resolveToken(token: string | undefined): string {
  if (token === undefined) return randomBytes(32).toString('base64url');
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The web host token must be at least ${MIN_TOKEN_LENGTH} characters; unset KIKI_WEB_TOKEN to get a random one.`,
    );
  }
  return token;
}

/**
 * Development and test host: core in this Node process, the built renderer over HTTP and the RPC over a
 * WebSocket, all on 127.0.0.1 only. A page can reach the RPC only with this run's token, from this
 * host's own origin, through a Host header naming loopback; the packaged app never contains this code.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  if ((options.host as string) !== '127.0.0.1') {
    throw new AppError(
      'VALIDATION_FAILED',
      'The web host binds to 127.0.0.1 only; it must never be reachable from outside.',
    );
  }
  const logger = options.logger ?? pino({ name: 'web-host' });
  const token = resolveToken(options.token);
  const core = await options.createCore({ dataDir: options.dataDir, demo: options.demo });
  const dispatch: RpcDispatch = createRpcDispatcher(core.handlers, logger);
  const serveStatic = createStaticFiles(options.rendererDir);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let port = 0;

  const server = createServer((request, response) => {
    if (!isAllowedHost(request.headers.host, port)) {
      sendText(response, 403, 'Forbidden Host header: the web host answers only to 127.0.0.1.');
      return;
    }
    if (request.headers.host === `localhost:${port}`) {
      // One origin only, so the WebSocket Origin check has a single right answer.
      response.writeHead(308, { Location: `${ownOrigin(port)}${request.url ?? '/'}` });
      response.end();
      return;
    }
    serveStatic(request, response).catch((error: unknown) => {
      // Path only: the query may carry the token, which never goes into a log.
      logger.error({ err: error, path: (request.url ?? '').split('?')[0] }, 'Serving a static file failed');
      if (!response.headersSent) sendText(response, 500, 'Could not read that file.');
      else response.destroy();
    });
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const verdict = checkRpcUpgrade(request, { port, token });
    if (!verdict.ok) {
      logger.warn({ status: verdict.status, reason: verdict.reason, origin: request.headers.origin }, 'Refused RPC');
      refuseUpgrade(socket, verdict.status, verdict.reason);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });

  sockets.on('connection', (ws: WebSocket) => {
    const endpoint = createRpcEndpoint(
      dispatch,
      (message) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
      },
      logger,
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'RPC messages are JSON text');
        return;
      }
      let message: unknown;
      try {
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        message = JSON.parse(bytes.toString('utf8'));
      } catch {
        ws.close(1007, 'RPC messages are JSON text');
        return;
      }
      void endpoint.receive(message);
    });
  });

  const stopEvents = core.onEvent((event, payload) => {
    const data = JSON.stringify(rpcEventMessage(event, payload));
    for (const client of sockets.clients) if (client.readyState === WebSocket.OPEN) client.send(data);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port ?? 0, host: '127.0.0.1' }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    stopEvents();
    core.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new AppError('UNAVAILABLE', `Port ${options.port} on 127.0.0.1 is in use. Pick another with --port.`);
    }
    throw error;
  }
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    url: `${ownOrigin(port)}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close() {
      closing ??= (async () => {
        stopEvents();
        await closeClients(sockets);
        await new Promise<void>((resolve) => sockets.close(() => resolve()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        core.close();
      })();
      return closing;
    },
  };
}
