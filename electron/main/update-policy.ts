/**
 * Update checks run only in packaged builds that were built with an update feed (app-update.yml) and
 * where the user has not turned them off; a development run never talks to an update server.
 */
export function shouldCheckForUpdates(options: {
  isPackaged: boolean;
  hasUpdateConfig: boolean;
  enabledInSettings: boolean;
  disabledByEnv: boolean;
}): { check: true } | { check: false; reason: string } {
  if (!options.isPackaged) return { check: false, reason: 'development build' };
  if (options.disabledByEnv) return { check: false, reason: 'KIKI_DISABLE_UPDATES is set' };
  if (!options.enabledInSettings) return { check: false, reason: 'turned off in settings' };
  if (!options.hasUpdateConfig) return { check: false, reason: 'this build has no update feed (app-update.yml)' };
  return { check: true };
}
