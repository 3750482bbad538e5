import type { RendererLocation } from './app-location';
import { isAppPageUrl } from './navigation-policy';

/** The bits of Electron's WebFrameMain that identify who sent an IPC message. */
export interface SenderFrameLike {
  url: string;
  parent: unknown;
}

/**
 * Every IPC message must come from the app's own top-level page. A null frame (navigated away or
 * destroyed) and any subframe are refused, whatever the channel.
 */
export function isTrustedSender(frame: SenderFrameLike | null | undefined, location: RendererLocation): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return isAppPageUrl(frame.url, location);
}
