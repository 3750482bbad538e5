import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveRendererLocation } from './app-location';
import type { SettingsStore } from './settings-store';

const electron = vi.hoisted(() => {
  const windows: FakeWindow[] = [];
  class FakeWindow {
    options: Record<string, unknown>;
    loaded: { file?: string; url?: string } = {};
    maximized = false;
    webContents = { on: vi.fn() };
    constructor(options: Record<string, unknown>) {
      this.options = options;
      windows.push(this);
    }
    on() {
      return this;
    }
    once() {
      return this;
    }
    maximize() {
      this.maximized = true;
    }
    loadFile(file: string) {
      this.loaded.file = file;
      return Promise.resolve();
    }
    loadURL(url: string) {
      this.loaded.url = url;
      return Promise.resolve();
    }
  }
  return {
    windows,
    BrowserWindow: FakeWindow,
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  };
});
vi.mock('electron', () => electron);

const { createMainWindow } = await import('./setup-main-window');

const rendererDir = path.resolve('/opt/kiki/dist/renderer');
const logger = { error: vi.fn() };

function store(windowState: unknown): SettingsStore {
  return {
    readWindowState: () => windowState,
    writeWindowState: vi.fn(),
    readSettings: () => ({ checkForUpdates: true }),
  };
}

function open(options: { devServerUrl?: string; windowState?: unknown } = {}) {
  createMainWindow({
    location: resolveRendererLocation({ isPackaged: false, devServerUrl: options.devServerUrl, rendererDir }),
    preloadFile: '/app/dist-electron/preload/preload.cjs',
    store: store(options.windowState),
    logger: logger as never,
  });
  const win = electron.windows.at(-1);
  if (!win) throw new Error('no window');
  return win;
}

beforeEach(() => {
  electron.windows.length = 0;
});

describe('createMainWindow', () => {
  it('opens with every Electron security default pinned', () => {
    const prefs = open().options.webPreferences;
    expect(prefs).toMatchObject({
      preload: '/app/dist-electron/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });

  it('loads the built index.html from disk, or the local dev server when one is configured', () => {
    expect(open().loaded).toEqual({ file: path.join(rendererDir, 'index.html') });
    expect(open({ devServerUrl: 'http://127.0.0.1:5173/' }).loaded).toEqual({ url: 'http://127.0.0.1:5173/' });
  });

  it('stays hidden until painted and reopens where the user left it', () => {
    const win = open({ windowState: { bounds: { x: 100, y: 50, width: 1500, height: 900 }, maximized: true } });
    expect(win.options).toMatchObject({ show: false, x: 100, y: 50, width: 1500, height: 900 });
    expect(win.maximized).toBe(true);
  });
});
