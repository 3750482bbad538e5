import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The policy the built renderer runs under in the browser; mirrors the Electron window's CSP. */
export const WEB_HOST_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': WEB_HOST_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

export function sendText(response: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) {
  response.writeHead(status, {
    ...securityHeaders(),
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...extra,
  });
  response.end(text);
}

async function fileSize(file: string): Promise<number | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : null;
  } catch {
    // Missing or unreadable both mean "not served".
    return null;
  }
}

/**
 * Serves the built renderer. Paths without an extension fall back to index.html so client-side routes
 * survive a reload; a missing asset is a plain 404, never index.html (that would hide broken builds).
 */
export function createStaticFiles(rendererDir: string) {
  const root = path.resolve(rendererDir);

  return async function serveStatic(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, 'Only GET and HEAD are served here.', { Allow: 'GET, HEAD' });
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      sendText(response, 400, 'Malformed request path.');
      return;
    }
    if (pathname.includes('\0')) {
      sendText(response, 400, 'Malformed request path.');
      return;
    }
    const requested = path.resolve(root, `.${pathname}`);
    if (requested !== root && !requested.startsWith(root + path.sep)) {
      sendText(response, 404, 'Not found.');
      return;
    }

    let file = requested;
    let size = pathname.endsWith('/') ? null : await fileSize(file);
    if (size === null) {
      if (path.extname(pathname) !== '') {
        sendText(response, 404, 'Not found.');
        return;
      }
      file = path.join(root, 'index.html');
      size = await fileSize(file);
      if (size === null) {
        sendText(response, 503, `The renderer is not built. Run "npx vite build" so ${root} has an index.html.`);
        return;
      }
    }

    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    response.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': type,
      'Content-Length': size,
      // Hashed assets may be cached; the entry page must be re-read so a rebuild shows up.
      'Cache-Control': type.startsWith('text/html') ? 'no-cache' : 'public, max-age=3600',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    await pipeline(createReadStream(file), response);
  };
}
