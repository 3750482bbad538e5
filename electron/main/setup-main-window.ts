import { BrowserWindow, screen } from 'electron';
import type { Logger } from 'pino';
import { rendererEntryUrl, type RendererLocation } from './app-location';
import type { SettingsStore } from './settings-store';
import { restoreWindowState, trackWindowState } from './window-state';

export interface MainWindowOptions {
  location: RendererLocation;
  preloadFile: string;
  store: SettingsStore;
  logger: Logger;
}

/**
 * The app window: restored to where the user left it, shown only once painted (no white flash), with
 * Electron's security defaults spelled out even where they are already the default, so a future
 * upgrade that changes one cannot silently weaken the window.
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const workAreas = screen.getAllDisplays().map((display) => display.workArea);
  const initial = restoreWindowState(options.store.readWindowState(), workAreas);
  const win = new BrowserWindow({
    ...initial.bounds,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'KIKI Desktop',
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: options.preloadFile,
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
      safeDialogs: true,
      spellcheck: false,
    },
  });
  if (initial.maximized) win.maximize();
  trackWindowState(win, (state) => options.store.writeWindowState(state));
  win.once('ready-to-show', () => win.show());
  win.webContents.on('render-process-gone', (_event, details) =>
    options.logger.error({ reason: details.reason, exitCode: details.exitCode }, 'Renderer process gone'),
  );

  const load =
    options.location.kind === 'file'
      ? win.loadFile(options.location.entryFile)
      : win.loadURL(rendererEntryUrl(options.location));
  load.catch((error: unknown) => options.logger.error({ err: error }, 'Could not load the app page'));
  return win;
}

/** One window per app; a second launch focuses it (see the single-instance lock in index.ts). */
export function focusWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.focus();
}
