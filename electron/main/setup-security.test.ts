import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Session, WebContents } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveRendererLocation } from './app-location';

const electron = vi.hoisted(() => ({
  shell: { openExternal: vi.fn(() => Promise.resolve()) },
  app: { enableSandbox: vi.fn(), on: vi.fn(), whenReady: vi.fn(() => Promise.resolve()) },
  session: {
    defaultSession: {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
      webRequest: { onHeadersReceived: vi.fn(), onBeforeRequest: vi.fn() },
    },
  },
}));
vi.mock('electron', () => electron);

const { hardenSession, hardenWebContents, setupSecurity } = await import('./setup-security');

const rootDir = path.resolve('/opt/kiki/dist/renderer');
const location = resolveRendererLocation({ isPackaged: true, devServerUrl: undefined, rendererDir: rootDir });
const entry = pathToFileURL(path.join(rootDir, 'index.html')).href;
const logger = { warn: vi.fn(), error: vi.fn() };

type Listener = (event: { preventDefault(): void; url?: string }, url?: string) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    on: (event: string, listener: Listener) => listeners.set(event, listener),
    setWindowOpenHandler: (handler: typeof openHandler) => (openHandler = handler),
  };
  hardenWebContents(contents as unknown as WebContents, location, logger);
  return {
    fire(event: string, url: string) {
      const e = { preventDefault: vi.fn(), url };
      listeners.get(event)?.(e, url);
      return e.preventDefault.mock.calls.length > 0;
    },
    open(url: string) {
      if (!openHandler) throw new Error('no window open handler');
      return openHandler({ url });
    },
  };
}

beforeEach(() => {
  vi.clearAllMocks();
});

describe('hardenWebContents', () => {
  it('blocks navigation and redirects away from the app, allows the app page', () => {
    const contents = fakeContents();
    expect(contents.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-frame-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-navigate', `${entry}#/campaigns`)).toBe(false);
  });

  it('blocks <webview>', () => {
    expect(fakeContents().fire('will-attach-webview', 'https://evil.example/')).toBe(true);
  });

  it('denies every window.open; a vetted https link goes to the browser instead', () => {
    const contents = fakeContents();
    expect(contents.open('https://ads.google.com/aw/overview')).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://ads.google.com/aw/overview');
  });

  it('never hands an unvetted URL to the OS', () => {
    const contents = fakeContents();
    for (const url of ['file:///etc/passwd', 'http://ads.google.com/', 'smb://host/share', 'https://10.0.0.1/']) {
      expect(contents.open(url)).toEqual({ action: 'deny' });
    }
    expect(electron.shell.openExternal).not.toHaveBeenCalled();
  });
});

describe('hardenSession', () => {
  function fakeSession() {
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    const target = {
      setPermissionRequestHandler: (h: never) => (handlers.permissionRequest = h),
      setPermissionCheckHandler: (h: never) => (handlers.permissionCheck = h),
      setDevicePermissionHandler: (h: never) => (handlers.devicePermission = h),
      webRequest: {
        onHeadersReceived: (h: never) => (handlers.headers = h),
        onBeforeRequest: (h: never) => (handlers.request = h),
      },
    };
    hardenSession(target as unknown as Session, location, logger);
    return handlers as Record<string, (...args: unknown[]) => unknown>;
  }

  it('denies every permission request and check', () => {
    const handlers = fakeSession();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      handlers.permissionRequest?.({}, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
    }
    expect(handlers.permissionCheck?.({}, 'media', 'file://', {})).toBe(false);
    expect(handlers.devicePermission?.({})).toBe(false);
  });

  it('adds the CSP header to every response', () => {
    const callback = vi.fn();
    fakeSession().headers?.({ responseHeaders: { 'Content-Type': ['text/html'] } }, callback);
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: {
        'Content-Type': ['text/html'],
        'Content-Security-Policy': [expect.stringContaining("script-src 'self'")],
      },
    });
  });

  it('cancels requests for remote content and lets the app files through', () => {
    const request = fakeSession().request;
    const decide = (url: string) => {
      const callback = vi.fn();
      request?.({ url }, callback);
      return callback.mock.calls[0]?.[0] as { cancel: boolean };
    };
    expect(decide('https://cdn.example/tracker.js')).toEqual({ cancel: true });
    expect(decide(pathToFileURL(path.join(rootDir, 'assets', 'index.js')).href)).toEqual({ cancel: false });
  });
});

describe('setupSecurity', () => {
  it('turns the sandbox on for every renderer and hardens every new WebContents', async () => {
    setupSecurity(location, logger);
    expect(electron.app.enableSandbox).toHaveBeenCalledOnce();
    expect(electron.app.on).toHaveBeenCalledWith('web-contents-created', expect.any(Function));
    await vi.waitFor(() => expect(electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalledOnce());
    expect(electron.session.defaultSession.webRequest.onBeforeRequest).toHaveBeenCalledOnce();
  });
});
