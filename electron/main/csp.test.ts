import { describe, expect, it } from 'vitest';
import { WEB_HOST_CSP } from '../web-host/static-files';
import { resolveRendererLocation } from './app-location';
import { contentSecurityPolicy } from './csp';

function directives(csp: string): Map<string, string> {
  return new Map(
    csp.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

describe('contentSecurityPolicy', () => {
  const packaged = contentSecurityPolicy(
    resolveRendererLocation({ isPackaged: true, devServerUrl: undefined, rendererDir: '/opt/kiki/dist/renderer' }),
  );
  const dev = contentSecurityPolicy(
    resolveRendererLocation({ isPackaged: false, devServerUrl: 'http://127.0.0.1:5173', rendererDir: '/x' }),
  );

  it('packaged: scripts only from the app itself, no eval, no inline script, no plugins, no framing', () => {
    const d = directives(packaged);
    expect(d.get('script-src')).toBe("'self'");
    expect(d.get('object-src')).toBe("'none'");
    expect(d.get('base-uri')).toBe("'none'");
    expect(d.get('frame-ancestors')).toBe("'none'");
    expect(packaged).not.toMatch(/unsafe-eval|\*|https?:/);
  });

  it('packaged policy allows nothing the web host policy does not', () => {
    const web = directives(WEB_HOST_CSP);
    for (const [name, value] of web) expect(directives(packaged).get(name)).toBe(value);
  });

  it('dev only adds the local Vite socket and inline script for React Refresh', () => {
    const d = directives(dev);
    expect(d.get('connect-src')).toBe("'self' ws://127.0.0.1:5173");
    expect(d.get('script-src')).toBe("'self' 'unsafe-inline'");
    expect(dev).not.toContain('unsafe-eval');
  });
});
