import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { RendererLocation } from './app-location';

function parse(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/**
 * Is this URL the app's own page? For the packaged app only the entry file itself qualifies (routes
 * live in the hash or history state, never in other files); in development, the dev server's origin.
 */
export function isAppPageUrl(raw: string, location: RendererLocation): boolean {
  const url = parse(raw);
  if (!url) return false;
  if (location.kind === 'dev-server') return url.origin === location.origin;
  if (url.protocol !== 'file:' || url.host !== '') return false;
  return path.resolve(fileURLToPath(url)) === location.entryFile;
}

/**
 * May a resource with this URL be loaded by the renderer? Only the app's own files (and, in development,
 * the dev server), plus inline data and DevTools internals. Everything else is remote content.
 */
export function isAllowedResourceUrl(raw: string, location: RendererLocation): boolean {
  const url = parse(raw);
  if (!url) return false;
  if (url.protocol === 'data:' || url.protocol === 'devtools:' || url.protocol === 'blob:') return true;
  if (location.kind === 'dev-server') {
    if (url.origin === location.origin) return true;
    // Vite's hot reload socket lives on the same host and port.
    const dev = new URL(location.origin);
    return url.protocol === 'ws:' && url.host === dev.host;
  }
  if (url.protocol !== 'file:' || url.host !== '') return false;
  const file = path.resolve(fileURLToPath(url));
  return file === location.rootDir || file.startsWith(location.rootDir + path.sep);
}

/**
 * will-navigate / will-redirect: the window may only ever show the app itself. In-app routing never
 * triggers these events, so in practice this denies every link that tries to leave.
 */
export function isNavigationAllowed(targetUrl: string, location: RendererLocation): boolean {
  return isAppPageUrl(targetUrl, location);
}
