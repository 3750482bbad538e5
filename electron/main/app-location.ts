import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Where the renderer comes from: the built files inside the app, or (development only) the Vite dev
 * server named by KIKI_RENDERER_URL. Every policy (navigation, IPC sender, requests) is judged
 * against this one value.
 */
export type RendererLocation =
  { kind: 'file'; entryFile: string; rootDir: string } | { kind: 'dev-server'; origin: string; entryUrl: string };

export function resolveRendererLocation(options: {
  isPackaged: boolean;
  devServerUrl: string | undefined;
  rendererDir: string;
}): RendererLocation {
  if (!options.isPackaged && options.devServerUrl) {
    const url = new URL(options.devServerUrl);
    // A dev server anywhere but this machine would be remote content.
    if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
      throw new Error(`KIKI_RENDERER_URL must be an http URL on this machine (127.0.0.1), got ${url.origin}.`);
    }
    return { kind: 'dev-server', origin: url.origin, entryUrl: url.href };
  }
  const rootDir = path.resolve(options.rendererDir);
  return { kind: 'file', rootDir, entryFile: path.join(rootDir, 'index.html') };
}

export function rendererEntryUrl(location: RendererLocation): string {
  return location.kind === 'file' ? pathToFileURL(location.entryFile).href : location.entryUrl;
}
