import { existsSync } from 'node:fs';
import path from 'node:path';
import { app } from 'electron';
import electronUpdater from 'electron-updater';
import type { Logger } from 'pino';
import type { AppSettings } from './settings.schema';
import { shouldCheckForUpdates } from './update-policy';

/**
 * Checks the generic update feed once on start in packaged builds, downloads in the background and
 * lets electron-updater notify; the update installs on the next quit. Every step is logged.
 */
export function setupUpdater(settings: AppSettings, logger: Logger): void {
  const decision = shouldCheckForUpdates({
    isPackaged: app.isPackaged,
    hasUpdateConfig: existsSync(path.join(process.resourcesPath, 'app-update.yml')),
    enabledInSettings: settings.checkForUpdates,
    disabledByEnv: process.env.KIKI_DISABLE_UPDATES === '1',
  });
  if (!decision.check) {
    logger.info({ reason: decision.reason }, 'Update check skipped');
    return;
  }
  // electron-updater is CommonJS; its named exports are only reliable through the default import.
  const { autoUpdater } = electronUpdater;
  autoUpdater.logger = {
    info: (message?: unknown) => logger.info({ updater: message }, 'updater'),
    warn: (message?: unknown) => logger.warn({ updater: message }, 'updater'),
    error: (message?: unknown) => logger.error({ updater: message }, 'updater'),
    debug: (message: string) => logger.debug({ updater: message }, 'updater'),
  };
  autoUpdater.on('update-available', (info) => logger.info({ version: info.version }, 'Update available'));
  autoUpdater.on('update-not-available', () => logger.info('App is up to date'));
  autoUpdater.on('update-downloaded', (info) => logger.info({ version: info.version }, 'Update downloaded'));
  autoUpdater.on('error', (error) => logger.error({ err: error }, 'Update check failed'));
  autoUpdater.checkForUpdatesAndNotify().catch((error: unknown) => logger.error({ err: error }, 'Update check failed'));
}
