import { describe, expect, it } from 'vitest';
import { shouldCheckForUpdates } from './update-policy';

const packaged = { isPackaged: true, hasUpdateConfig: true, enabledInSettings: true, disabledByEnv: false };

describe('shouldCheckForUpdates', () => {
  it('checks in a packaged build with an update feed', () => {
    expect(shouldCheckForUpdates(packaged)).toEqual({ check: true });
  });

  it.each([
    [{ isPackaged: false }, 'development build'],
    [{ disabledByEnv: true }, 'KIKI_DISABLE_UPDATES is set'],
    [{ enabledInSettings: false }, 'turned off in settings'],
    [{ hasUpdateConfig: false }, 'this build has no update feed (app-update.yml)'],
  ])('never checks when %j', (override, reason) => {
    expect(shouldCheckForUpdates({ ...packaged, ...override })).toEqual({ check: false, reason });
  });
});
