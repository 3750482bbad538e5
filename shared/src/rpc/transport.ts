import type { Result } from '../result';

/**
 * What a renderer-side transport provides. `window.kiki` (the Electron preload) has exactly this shape,
 * and so do the WebSocket and in-memory transports.
 */
export interface RpcTransport {
  invoke(method: string, params: unknown): Promise<Result<unknown>>;
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}
