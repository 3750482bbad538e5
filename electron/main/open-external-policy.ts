import { isIP } from 'node:net';

const MAX_URL_LENGTH = 2048;

/**
 * Decides whether a URL may be handed to the OS (shell.openExternal). Only plain https links to a
 * public host name: no other scheme (file:, smb:, custom protocol handlers can run programs), no
 * embedded credentials, no IP literals or local names that could reach the user's own network.
 */
export function vetExternalUrl(raw: string): URL | null {
  if (raw.length > MAX_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(hostname) !== 0) return null;
  if (!hostname.includes('.') || hostname.endsWith('.localhost') || hostname.endsWith('.local')) return null;
  if (url.port !== '') return null;
  return url;
}
