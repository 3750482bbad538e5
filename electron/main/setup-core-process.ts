import path from 'node:path';
import {
  app,
  dialog,
  ipcMain,
  MessageChannelMain,
  utilityProcess,
  type UtilityProcess,
  type WebContents,
} from 'electron';
import type { Logger } from 'pino';
import { coreStatusMessageSchema, IPC_CHANNELS, type CoreControlMessage } from '@kiki/shared/rpc/core-process-protocol';
import type { RendererLocation } from './app-location';
import { decideCoreRestart } from './core-restart-policy';
import { isTrustedSender } from './ipc-sender-check';

export interface CoreProcessOptions {
  /** The bundled core entry (dist-electron/core/core-process.cjs). */
  entryFile: string;
  dataDir: string;
  /** Development only: start core on generated demo data. */
  demo: boolean;
  location: RendererLocation;
  logger: Logger;
  /** Packaged builds: core's log file (its stdout goes nowhere there). */
  logFile?: string;
  /**
   * Requests core makes of main (the vault channel): returns true when it handled the message. Only this core
   * process's own messages reach it, never a renderer's.
   */
  handleCoreMessage?: (message: unknown, reply: (response: unknown) => void) => boolean;
}

/**
 * Runs core in a utility process and wires each page to it with its own MessageChannel: one end to
 * core, one to the page's preload. Pages ask for a port on every load (so a reload gets a fresh one);
 * when core crashes it is restarted with backoff and every open page gets a new port.
 */
export function setupCoreProcess(options: CoreProcessOptions): { stop(): void } {
  const { logger } = options;
  const pages = new Set<WebContents>();
  const crashes: number[] = [];
  let child: UtilityProcess | null = null;
  let stopping = false;

  const send = (message: CoreControlMessage, transfer: Electron.MessagePortMain[] = []) =>
    child?.postMessage(message, transfer);

  const connectPage = (contents: WebContents) => {
    if (!child || contents.isDestroyed()) return;
    const { port1, port2 } = new MessageChannelMain();
    send({ type: 'connect' }, [port1]);
    contents.postMessage(IPC_CHANNELS.port, null, [port2]);
  };

  const start = () => {
    const proc = utilityProcess.fork(options.entryFile, [], {
      serviceName: 'KIKI core',
      stdio: 'inherit',
      ...(options.logFile ? { env: { ...process.env, KIKI_CORE_LOG_FILE: options.logFile } } : {}),
    });
    child = proc;
    proc.on('message', (message: unknown) => {
      if (child !== proc) return;
      if (options.handleCoreMessage?.(message, (response) => child === proc && proc.postMessage(response))) return;
      const status = coreStatusMessageSchema.safeParse(message);
      if (status.success && status.data.type === 'fatal') logger.error({ reason: status.data.message }, 'Core failed');
    });
    proc.on('exit', (code) => {
      if (child === proc) child = null;
      if (stopping) return;
      logger.error({ code }, 'Core exited unexpectedly');
      for (const contents of pages) if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.coreExited);
      const now = Date.now();
      crashes.push(now);
      const decision = decideCoreRestart(crashes, now);
      if (!decision.restart) {
        dialog.showErrorBox(
          'KIKI Desktop cannot start its data engine',
          `It stopped ${crashes.length} times in a row. Quit and reopen KIKI Desktop; if this keeps happening, ` +
            `send the log in ${app.getPath('logs')} to support.`,
        );
        return;
      }
      setTimeout(() => {
        if (stopping) return;
        start();
        for (const contents of pages) connectPage(contents);
      }, decision.delayMs);
    });
    send({ type: 'init', dataDir: options.dataDir, appVersion: app.getVersion(), demo: options.demo });
  };

  ipcMain.on(IPC_CHANNELS.requestPort, (event) => {
    if (!isTrustedSender(event.senderFrame, options.location)) {
      logger.warn({ url: event.senderFrame?.url }, 'Refused an RPC port request from an untrusted frame');
      return;
    }
    const contents = event.sender;
    if (!pages.has(contents)) {
      pages.add(contents);
      contents.once('destroyed', () => pages.delete(contents));
    }
    connectPage(contents);
  });

  start();

  return {
    stop() {
      stopping = true;
      ipcMain.removeAllListeners(IPC_CHANNELS.requestPort);
      child?.kill();
      child = null;
    },
  };
}

/** Where core keeps its SQLite cache: per OS user, never inside the app bundle. */
export function coreDataDir(): string {
  return path.join(app.getPath('userData'), 'data');
}
