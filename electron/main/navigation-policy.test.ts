import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveRendererLocation, type RendererLocation } from './app-location';
import { isAllowedResourceUrl, isAppPageUrl, isNavigationAllowed } from './navigation-policy';

const rootDir = path.resolve('/opt/kiki/resources/app.asar/dist/renderer');
const packaged: RendererLocation = resolveRendererLocation({
  isPackaged: true,
  devServerUrl: undefined,
  rendererDir: rootDir,
});
const dev: RendererLocation = resolveRendererLocation({
  isPackaged: false,
  devServerUrl: 'http://127.0.0.1:5173/',
  rendererDir: rootDir,
});
const entry = pathToFileURL(path.join(rootDir, 'index.html')).href;

describe('navigation policy (packaged)', () => {
  it('allows only the app entry page, with any hash or query', () => {
    expect(isNavigationAllowed(entry, packaged)).toBe(true);
    expect(isNavigationAllowed(`${entry}#/campaigns`, packaged)).toBe(true);
    expect(isNavigationAllowed(`${entry}?x=1`, packaged)).toBe(true);
  });

  it.each([
    'https://evil.example/',
    'http://127.0.0.1:5173/',
    pathToFileURL('/etc/passwd').href,
    pathToFileURL(path.join(rootDir, 'assets', 'app.js')).href,
    pathToFileURL(path.join(rootDir, '..', 'index.html')).href,
    'file://attacker-host/share/index.html',
    'javascript:alert(1)',
    'not a url',
  ])('denies %s', (url) => {
    expect(isNavigationAllowed(url, packaged)).toBe(false);
  });

  it('lets the page load its own files and data: images, nothing remote', () => {
    expect(isAllowedResourceUrl(pathToFileURL(path.join(rootDir, 'assets', 'app.js')).href, packaged)).toBe(true);
    expect(isAllowedResourceUrl('data:image/png;base64,AAAA', packaged)).toBe(true);
    expect(isAllowedResourceUrl('https://cdn.example/lib.js', packaged)).toBe(false);
    expect(isAllowedResourceUrl(pathToFileURL('/home/op/.ssh/id_rsa').href, packaged)).toBe(false);
    expect(isAllowedResourceUrl('ws://127.0.0.1:5173/', packaged)).toBe(false);
  });
});

describe('navigation policy (dev server)', () => {
  it('allows the dev server origin and its hot-reload socket only', () => {
    expect(isAppPageUrl('http://127.0.0.1:5173/campaigns', dev)).toBe(true);
    expect(isNavigationAllowed('http://127.0.0.1:5174/', dev)).toBe(false);
    expect(isNavigationAllowed(entry, dev)).toBe(false);
    expect(isAllowedResourceUrl('ws://127.0.0.1:5173/?token=x', dev)).toBe(true);
    expect(isAllowedResourceUrl('ws://127.0.0.1:9999/', dev)).toBe(false);
  });

  it('refuses a dev server that is not on this machine, and ignores it once packaged', () => {
    expect(() =>
      resolveRendererLocation({ isPackaged: false, devServerUrl: 'http://10.0.0.5:5173', rendererDir: rootDir }),
    ).toThrow(/127\.0\.0\.1/);
    expect(
      resolveRendererLocation({ isPackaged: true, devServerUrl: 'http://127.0.0.1:5173', rendererDir: rootDir }).kind,
    ).toBe('file');
  });
});
