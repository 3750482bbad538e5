import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ app: {}, Menu: {}, shell: {} }));
const { buildAppMenuTemplate } = await import('./setup-app-menu');

function roles(template: ReturnType<typeof buildAppMenuTemplate>): string[] {
  return template.flatMap((item) => [
    String(item.role ?? item.label),
    ...(Array.isArray(item.submenu) ? item.submenu.map((sub) => String(sub.role ?? sub.label ?? sub.type)) : []),
  ]);
}

describe('buildAppMenuTemplate', () => {
  it('offers reload and DevTools in development only', () => {
    const dev = roles(buildAppMenuTemplate({ platform: 'linux', isPackaged: false, openLogsFolder: vi.fn() }));
    const packaged = roles(buildAppMenuTemplate({ platform: 'linux', isPackaged: true, openLogsFolder: vi.fn() }));
    expect(dev).toContain('toggleDevTools');
    expect(packaged).not.toContain('toggleDevTools');
    expect(packaged).not.toContain('reload');
  });

  it('has the macOS app menu only on macOS', () => {
    expect(roles(buildAppMenuTemplate({ platform: 'darwin', isPackaged: true, openLogsFolder: vi.fn() }))[0]).toBe(
      'appMenu',
    );
    expect(roles(buildAppMenuTemplate({ platform: 'win32', isPackaged: true, openLogsFolder: vi.fn() }))).not.toContain(
      'appMenu',
    );
  });

  it('opens the logs folder from Help', () => {
    const openLogsFolder = vi.fn();
    const help = buildAppMenuTemplate({ platform: 'linux', isPackaged: true, openLogsFolder }).find(
      (i) => i.role === 'help',
    );
    const item = Array.isArray(help?.submenu) ? help.submenu[0] : undefined;
    (item?.click as (() => void) | undefined)?.();
    expect(openLogsFolder).toHaveBeenCalledOnce();
  });
});
