import { app, Menu, shell, type MenuItemConstructorOptions } from 'electron';
import type { Logger } from 'pino';

/**
 * The native menu. Standard roles give the platform's own shortcuts (copy/paste, zoom, full screen);
 * reload and DevTools are only offered in development, where they help and cannot confuse an operator.
 */
export function buildAppMenuTemplate(options: {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  openLogsFolder: () => void;
}): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const view: MenuItemConstructorOptions[] = [
    ...(options.isPackaged
      ? []
      : ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])),
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  return [
    ...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'Show Log Files', click: options.openLogsFolder }],
    },
  ];
}

export function setupAppMenu(logger: Logger): void {
  const template = buildAppMenuTemplate({
    platform: process.platform,
    isPackaged: app.isPackaged,
    openLogsFolder: () => {
      shell.openPath(app.getPath('logs')).then(
        (problem) => {
          if (problem) logger.warn({ problem }, 'Could not open the logs folder');
        },
        (error: unknown) => logger.error({ err: error }, 'Could not open the logs folder'),
      );
    },
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
