import path from 'node:path';
import { app, type BrowserWindow } from 'electron';
import { resolveRendererLocation } from './app-location';
import { createMainLogger } from './main-logger';
import { setupAppMenu } from './setup-app-menu';
import { coreDataDir, setupCoreProcess } from './setup-core-process';
import { createMainWindow, focusWindow } from './setup-main-window';
import { setupSecurity } from './setup-security';
import { setupUpdater } from './setup-updater';
import { createVaultChannelHandler } from './setup-vault-channel';
import { createKeytarVault } from './vault/keytar-vault';
import { createSettingsStore } from './settings-store';

// Bundled to dist-electron/main/index.cjs; the preload, core and renderer sit beside it.
const distElectron = path.resolve(__dirname, '..');
const logger = createMainLogger({ isPackaged: app.isPackaged, logsDir: app.getPath('logs') });
const location = resolveRendererLocation({
  isPackaged: app.isPackaged,
  devServerUrl: process.env.KIKI_RENDERER_URL,
  rendererDir: path.join(distElectron, '..', 'dist', 'renderer'),
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  setupSecurity(location, logger);
  app.on('second-instance', () => focusWindow(mainWindow));

  void app.whenReady().then(() => {
    const store = createSettingsStore();
    setupAppMenu(logger);
    const core = setupCoreProcess({
      entryFile: path.join(distElectron, 'core', 'core-process.cjs'),
      dataDir: coreDataDir(),
      // `npm start` passes --demo; the e2e fixture sets KIKI_DEMO. Never in an installed app.
      demo: !app.isPackaged && (process.argv.includes('--demo') || process.env.KIKI_DEMO === '1'),
      location,
      logger,
      ...(app.isPackaged ? { logFile: path.join(app.getPath('logs'), 'core.log') } : {}),
      handleCoreMessage: createVaultChannelHandler(createKeytarVault({ logger }), logger),
    });
    const openWindow = () => {
      mainWindow = createMainWindow({
        location,
        preloadFile: path.join(distElectron, 'preload', 'preload.cjs'),
        store,
        logger,
      });
      mainWindow.on('closed', () => (mainWindow = null));
    };
    openWindow();
    app.on('activate', () => {
      if (!mainWindow) openWindow();
    });
    app.on('will-quit', () => core.stop());
    setupUpdater(store.readSettings(), logger);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
