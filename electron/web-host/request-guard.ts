import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What the host was started with; every request is judged against it. */
export interface HostIdentity {
  port: number;
  token: string;
}

export type Verdict = { ok: true } | { ok: false; status: 400 | 401 | 403 | 404; reason: string };

export const RPC_PATH = '/rpc';

/** The one origin pages served by this host have; WebSocket upgrades from any other page are refused. */
export function ownOrigin(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/**
 * DNS-rebinding defence: a hostile site can point its own name at 127.0.0.1, but the browser still
 * sends that name in Host, so only our loopback names with our port get through.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Compares digests so neither the length nor the content of the token leaks through timing. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Decides an RPC WebSocket upgrade before any RPC can happen. Order matters only for the message:
 * every check must pass.
 */
export function checkRpcUpgrade(request: { url?: string; headers: IncomingHttpHeaders }, host: HostIdentity): Verdict {
  let url: URL;
  try {
    url = new URL(request.url ?? '', 'http://127.0.0.1');
  } catch {
    return { ok: false, status: 400, reason: 'Malformed request URL.' };
  }
  if (url.pathname !== RPC_PATH) return { ok: false, status: 404, reason: `No WebSocket endpoint at ${url.pathname}.` };
  if (!isAllowedHost(request.headers.host, host.port)) {
    return { ok: false, status: 403, reason: 'Forbidden Host header: the web host answers only to 127.0.0.1.' };
  }
  if (request.headers.origin !== ownOrigin(host.port)) {
    return { ok: false, status: 403, reason: 'Forbidden Origin: only pages served by this web host may connect.' };
  }
  const token = url.searchParams.get('token');
  if (!token) return { ok: false, status: 401, reason: 'Missing token: open the URL the web host printed.' };
  if (!tokensEqual(token, host.token)) {
    return { ok: false, status: 401, reason: 'Wrong token: open the URL the web host printed for this run.' };
  }
  return { ok: true };
}
