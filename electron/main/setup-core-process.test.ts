import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveRendererLocation } from './app-location';

type Listener = (...args: unknown[]) => void;

const electron = vi.hoisted(() => {
  class FakeChild {
    posted: { message: unknown; transfer: unknown[] }[] = [];
    listeners = new Map<string, Listener>();
    killed = false;
    on(event: string, listener: Listener) {
      this.listeners.set(event, listener);
      return this;
    }
    postMessage(message: unknown, transfer: unknown[] = []) {
      this.posted.push({ message, transfer });
    }
    kill() {
      this.killed = true;
      return true;
    }
  }
  const children: FakeChild[] = [];
  const ipcListeners = new Map<string, Listener>();
  let channel = 0;
  return {
    children,
    ipcListeners,
    utilityProcess: {
      fork: vi.fn((_entry: string, _args: string[], _options: { env?: Record<string, string> }) => {
        const child = new FakeChild();
        children.push(child);
        return child;
      }),
    },
    MessageChannelMain: class {
      port1 = { name: `core-end-${++channel}` };
      port2 = { name: `page-end-${channel}` };
    },
    ipcMain: {
      on: vi.fn((channelName: string, listener: Listener) => ipcListeners.set(channelName, listener)),
      removeAllListeners: vi.fn(),
    },
    app: { getVersion: () => '1.2.3', getPath: () => '/logs' },
    dialog: { showErrorBox: vi.fn() },
  };
});
vi.mock('electron', () => electron);

const { setupCoreProcess } = await import('./setup-core-process');

const rootDir = path.resolve('/opt/kiki/dist/renderer');
const location = resolveRendererLocation({ isPackaged: true, devServerUrl: undefined, rendererDir: rootDir });
const entry = pathToFileURL(path.join(rootDir, 'index.html')).href;
const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

function fakePage() {
  return {
    postMessage: vi.fn(),
    send: vi.fn(),
    isDestroyed: () => false,
    once: vi.fn(),
  };
}

function requestPort(page: ReturnType<typeof fakePage>, frame: { url: string; parent: unknown } | null) {
  electron.ipcListeners.get('kiki:request-port')?.({ sender: page, senderFrame: frame });
}

function start() {
  return setupCoreProcess({
    entryFile: '/app/dist-electron/core/core-process.cjs',
    dataDir: '/data',
    demo: false,
    location,
    logger: logger as never,
  });
}

beforeEach(() => {
  electron.children.length = 0;
  electron.ipcListeners.clear();
  vi.clearAllMocks();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('setupCoreProcess', () => {
  it('forks core and initialises it with the data folder and app version', () => {
    start();
    expect(electron.utilityProcess.fork).toHaveBeenCalledWith('/app/dist-electron/core/core-process.cjs', [], {
      serviceName: 'KIKI core',
      stdio: 'inherit',
    });
    expect(electron.children[0]?.posted[0]?.message).toEqual({
      type: 'init',
      dataDir: '/data',
      appVersion: '1.2.3',
      demo: false,
    });
  });

  it('points a packaged core at its log file', () => {
    setupCoreProcess({
      entryFile: '/app/core.cjs',
      dataDir: '/data',
      demo: false,
      location,
      logger: logger as never,
      logFile: '/logs/core.log',
    });
    const forkOptions = electron.utilityProcess.fork.mock.calls[0]?.[2];
    expect(forkOptions?.env?.KIKI_CORE_LOG_FILE).toBe('/logs/core.log');
  });

  it('gives the app page one end of a fresh channel and core the other', () => {
    start();
    const page = fakePage();
    requestPort(page, { url: `${entry}#/dashboard`, parent: null });
    const connect = electron.children[0]?.posted[1];
    expect(connect?.message).toEqual({ type: 'connect' });
    expect(connect?.transfer).toHaveLength(1);
    const [channel, message, ports] = page.postMessage.mock.calls[0] as unknown[];
    expect([channel, message]).toEqual(['kiki:port', null]);
    expect(ports).toEqual([{ name: expect.stringMatching(/^page-end/) as unknown }]);
  });

  it('refuses a port to an untrusted sender: another site, a subframe, a destroyed frame', () => {
    start();
    const page = fakePage();
    requestPort(page, { url: 'https://evil.example/', parent: null });
    requestPort(page, { url: entry, parent: {} });
    requestPort(page, null);
    expect(page.postMessage).not.toHaveBeenCalled();
    expect(electron.children[0]?.posted).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledTimes(3);
  });

  it('after a crash tells pages, restarts core and hands every page a new port', () => {
    start();
    const page = fakePage();
    requestPort(page, { url: entry, parent: null });
    electron.children[0]?.listeners.get('exit')?.(1);
    expect(page.send).toHaveBeenCalledWith('kiki:core-exited');
    vi.advanceTimersByTime(250);
    expect(electron.children).toHaveLength(2);
    expect(electron.children[1]?.posted.map((p) => p.message)).toEqual([
      { type: 'init', dataDir: '/data', appVersion: '1.2.3', demo: false },
      { type: 'connect' },
    ]);
    expect(page.postMessage).toHaveBeenCalledTimes(2);
  });

  it('stops restarting and tells the user when core keeps crashing', () => {
    start();
    for (let i = 0; i < 5; i++) {
      electron.children[i]?.listeners.get('exit')?.(1);
      vi.advanceTimersByTime(10_000);
    }
    expect(electron.dialog.showErrorBox).toHaveBeenCalledOnce();
    expect(electron.children).toHaveLength(5);
  });

  it('does not restart core on a deliberate stop', () => {
    const core = start();
    core.stop();
    expect(electron.children[0]?.killed).toBe(true);
    electron.children[0]?.listeners.get('exit')?.(0);
    vi.advanceTimersByTime(10_000);
    expect(electron.children).toHaveLength(1);
  });
});
