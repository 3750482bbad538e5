import type { RendererLocation } from './app-location';

/**
 * The Content-Security-Policy of every app window. Production matches the web host's policy. The
 * development variant only adds what Vite needs: its hot-reload socket and React Refresh's inline
 * preamble; it is never used for the built files.
 */
export function contentSecurityPolicy(location: RendererLocation): string {
  if (location.kind === 'file') {
    return [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
  }
  const ws = location.origin.replace(/^http:/, 'ws:');
  return [
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
