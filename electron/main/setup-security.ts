import { app, session, shell, type Session, type WebContents } from 'electron';
import type { Logger } from 'pino';
import type { RendererLocation } from './app-location';
import { contentSecurityPolicy } from './csp';
import { isAllowedResourceUrl, isNavigationAllowed } from './navigation-policy';
import { vetExternalUrl } from './open-external-policy';

type Log = Pick<Logger, 'warn' | 'error'>;

/** Opens a link in the user's browser only after vetting; everything else is dropped with a log line. */
export function openVettedExternal(raw: string, logger: Log): void {
  const url = vetExternalUrl(raw);
  if (!url) {
    logger.warn({ url: raw.slice(0, 200) }, 'Refused to open a link that is not a plain https URL');
    return;
  }
  shell.openExternal(url.href).catch((error: unknown) => logger.error({ err: error }, 'Could not open a link'));
}

/**
 * Per-WebContents guards: no navigation away from the app, no new windows (vetted https links go to the
 * browser instead), no <webview>.
 */
export function hardenWebContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  location: RendererLocation,
  logger: Log,
): void {
  const guardNavigation = (event: { preventDefault(): void }, url: string) => {
    if (isNavigationAllowed(url, location)) return;
    event.preventDefault();
    logger.warn({ url: url.slice(0, 200) }, 'Blocked navigation away from the app');
  };
  contents.on('will-navigate', guardNavigation);
  contents.on('will-frame-navigate', (event) => guardNavigation(event, event.url));
  contents.on('will-redirect', guardNavigation);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.warn('Blocked a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    openVettedExternal(url, logger);
    return { action: 'deny' };
  });
}

/**
 * Session-wide guards: every permission request denied, the CSP header on every response, and every
 * request for something other than the app's own files cancelled (no remote content, ever).
 */
export function hardenSession(target: Session, location: RendererLocation, logger: Log): void {
  target.setPermissionRequestHandler((_contents, permission, callback) => {
    logger.warn({ permission }, 'Denied a permission request');
    callback(false);
  });
  target.setPermissionCheckHandler(() => false);
  target.setDevicePermissionHandler(() => false);
  const csp = contentSecurityPolicy(location);
  target.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  target.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedResourceUrl(details.url, location);
    if (!allowed) logger.warn({ url: details.url.slice(0, 200) }, 'Blocked a request for remote content');
    callback({ cancel: !allowed });
  });
}

/** Must run before `app.whenReady()`: the sandbox switch only applies to renderers started after it. */
export function setupSecurity(location: RendererLocation, logger: Log): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, location, logger));
  void app.whenReady().then(() => hardenSession(session.defaultSession, location, logger));
}
