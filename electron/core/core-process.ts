import { pino } from 'pino';
import { fail } from '@kiki/shared/result';
import { coreControlMessageSchema, type CoreStatusMessage } from '@kiki/shared/rpc/core-process-protocol';
import { createRpcDispatcher, type RpcDispatch } from '@kiki/shared/rpc/rpc-dispatcher';
import { createRpcEndpoint, rpcEventMessage } from '@kiki/shared/rpc/rpc-endpoint';
import type { RpcServerMessage } from '@kiki/shared/rpc/protocol';
import { isVaultChannelMessage } from '@kiki/shared/rpc/vault-channel-protocol';
import { createAppCore, type AppCore } from './app-core';
import { createVaultChannelClient } from './sync/token-vault';

/** Electron's MessagePortMain, structurally: core never imports electron. */
export interface CorePort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/** Electron's `process.parentPort` in a utility process, structurally. */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: CorePort[] }) => void): unknown;
  postMessage(message: unknown): void;
}

type Logger = Pick<pino.Logger, 'error' | 'info' | 'warn'>;

/**
 * Serves RPC to every renderer port main hands over. Calls that arrive on a port before core has
 * finished opening the database wait for it rather than failing.
 */
export function serveCoreProcess(
  parentPort: ParentPortLike,
  deps: { createAppCore: typeof createAppCore; logger: Logger; exit: (code: number) => void },
): { close(): void } {
  const { logger } = deps;
  const ports = new Set<CorePort>();
  let core: AppCore | null = null;
  let ready: Promise<RpcDispatch> | null = null;

  const report = (message: CoreStatusMessage) => parentPort.postMessage(message);
  // The refresh token is kept by main's keychain vault; core only ever asks for it over the parent port.
  const vault = createVaultChannelClient((request) => parentPort.postMessage(request));
  const broadcast = (message: RpcServerMessage) => {
    for (const port of ports) port.postMessage(message);
  };

  const connect = (port: CorePort) => {
    if (!ready) {
      logger.warn('Main sent a renderer port before init; closing it');
      port.close();
      return;
    }
    const dispatching = ready;
    const endpoint = createRpcEndpoint(
      (method, params) =>
        dispatching.then(
          (dispatch) => dispatch(method, params),
          () =>
            fail({
              code: 'UNAVAILABLE',
              message: 'KIKI core could not start. Restart KIKI Desktop; if it persists, report it.',
            }),
        ),
      (message) => port.postMessage(message),
      logger,
    );
    ports.add(port);
    port.on('message', (event) => void endpoint.receive(event.data));
    port.on('close', () => ports.delete(port));
    port.start();
  };

  parentPort.on('message', (event) => {
    if (isVaultChannelMessage(event.data, 'vault.response')) {
      vault.receive(event.data);
      return;
    }
    const parsed = coreControlMessageSchema.safeParse(event.data);
    if (!parsed.success) {
      logger.error({ issues: parsed.error.issues }, 'Ignored a malformed control message from main');
      return;
    }
    const message = parsed.data;
    if (message.type === 'connect') {
      const [port] = event.ports;
      if (port) connect(port);
      else logger.error('A connect message from main carried no port');
      return;
    }
    if (ready) {
      logger.warn('Ignored a second init from main');
      return;
    }
    const starting = deps
      .createAppCore({ dataDir: message.dataDir, demo: message.demo, appVersion: message.appVersion, vault })
      .then((created) => {
        core = created;
        created.onEvent((name, payload) => broadcast(rpcEventMessage(name, payload)));
        logger.info({ dataDir: message.dataDir }, 'Core ready');
        report({ type: 'ready' });
        return createRpcDispatcher(created.handlers, logger);
      });
    ready = starting;
    starting.catch((error: unknown) => {
      logger.error({ err: error }, 'Core failed to start');
      report({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
      // Main restarts us with backoff; a half-started core must not linger.
      deps.exit(1);
    });
  });

  return {
    close() {
      for (const port of ports) port.close();
      ports.clear();
      core?.close();
      vault.close();
    },
  };
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (parentPort) {
  // Set by main in packaged builds, where a utility process's stdout is not kept anywhere.
  const logFile = process.env.KIKI_CORE_LOG_FILE;
  const logger = logFile
    ? pino({ name: 'core' }, pino.destination({ dest: logFile, mkdir: true, sync: false }))
    : pino({ name: 'core' });
  // Set by `npm start` and the Electron e2e run (never in packaged builds, whose natives electron-builder rebuilt):
  // the Electron-ABI SQLite build, kept outside node_modules.
  const sqliteNativeBinding = process.env.KIKI_SQLITE_NATIVE_BINDING;
  const served = serveCoreProcess(parentPort, {
    createAppCore: (options) => createAppCore(sqliteNativeBinding ? { ...options, sqliteNativeBinding } : options),
    logger,
    exit: (code) => process.exit(code),
  });
  const shutdown = () => {
    served.close();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
