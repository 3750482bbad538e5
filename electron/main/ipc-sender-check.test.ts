import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveRendererLocation } from './app-location';
import { isTrustedSender } from './ipc-sender-check';

const rootDir = path.resolve('/opt/kiki/dist/renderer');
const location = resolveRendererLocation({ isPackaged: true, devServerUrl: undefined, rendererDir: rootDir });
const entry = pathToFileURL(path.join(rootDir, 'index.html')).href;

describe('isTrustedSender', () => {
  it('trusts the app page in the top-level frame', () => {
    expect(isTrustedSender({ url: `${entry}#/dashboard`, parent: null }, location)).toBe(true);
  });

  it('refuses a destroyed or missing frame', () => {
    expect(isTrustedSender(null, location)).toBe(false);
    expect(isTrustedSender(undefined, location)).toBe(false);
  });

  it('refuses a subframe, even one showing the app page', () => {
    expect(isTrustedSender({ url: entry, parent: { url: entry } }, location)).toBe(false);
  });

  it('refuses a frame that navigated somewhere else', () => {
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, location)).toBe(false);
    expect(isTrustedSender({ url: pathToFileURL('/tmp/index.html').href, parent: null }, location)).toBe(false);
  });
});
