import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
const state = vi.hoisted(() => ({ gotLock: true, ready: null as null | (() => void) }));

vi.mock('electron', () => ({
  app: {
    isPackaged: false,
    getPath: () => '/tmp/kiki-logs',
    requestSingleInstanceLock: () => state.gotLock,
    quit: () => calls.push('quit'),
    on: (event: string) => calls.push(`on:${event}`),
    whenReady: () => new Promise<void>((resolve) => (state.ready = resolve)),
  },
}));
vi.mock('./main-logger', () => ({ createMainLogger: () => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() }) }));
vi.mock('./setup-security', () => ({ setupSecurity: () => calls.push('setupSecurity') }));
vi.mock('./setup-app-menu', () => ({ setupAppMenu: () => calls.push('setupAppMenu') }));
vi.mock('./settings-store', () => ({
  createSettingsStore: () => ({ readSettings: () => ({ checkForUpdates: true }) }),
}));
vi.mock('./setup-core-process', () => ({
  coreDataDir: () => '/data',
  setupCoreProcess: (options: { entryFile: string }) => {
    calls.push(`setupCoreProcess:${options.entryFile.split(/[\\/]/).slice(-2).join('/')}`);
    return { stop: vi.fn() };
  },
}));
vi.mock('./setup-main-window', () => ({
  focusWindow: vi.fn(),
  createMainWindow: (options: { preloadFile: string }) => {
    calls.push(`createMainWindow:${options.preloadFile.split(/[\\/]/).slice(-2).join('/')}`);
    return { on: vi.fn() };
  },
}));
vi.mock('./setup-updater', () => ({ setupUpdater: () => calls.push('setupUpdater') }));

beforeEach(() => {
  calls.length = 0;
  state.ready = null;
  vi.resetModules();
});

describe('electron/main/index.ts', () => {
  it('hardens security before the app is ready, then starts core before the window and checks updates last', async () => {
    state.gotLock = true;
    await import('./index');
    expect(calls.slice(0, 2)).toEqual(['setupSecurity', 'on:second-instance']);
    expect(calls).not.toContain('setupCoreProcess:core/core-process.cjs');
    state.ready?.();
    await vi.waitFor(() => expect(calls).toContain('setupUpdater'));
    const afterReady = calls.filter((c) => !c.startsWith('on:'));
    expect(afterReady).toEqual([
      'setupSecurity',
      'setupAppMenu',
      'setupCoreProcess:core/core-process.cjs',
      'createMainWindow:preload/preload.cjs',
      'setupUpdater',
    ]);
  });

  it('a second instance quits without setting anything up', async () => {
    state.gotLock = false;
    await import('./index');
    expect(calls).toEqual(['quit']);
  });
});
