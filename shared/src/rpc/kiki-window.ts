import type { RpcTransport } from './transport';

/**
 * What the Electron preload exposes as `window.kiki`. It is exactly an RpcTransport, so the renderer
 * builds its RpcClient on it the same way it does on the web host's WebSocket transport.
 */
export type KikiBridge = RpcTransport;
