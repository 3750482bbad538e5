import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNELS } from '@kiki/shared/rpc/core-process-protocol';
import type { KikiBridge } from '@kiki/shared/rpc/kiki-window';
import { createMessagePortTransport, type MessagePortLike } from '@kiki/shared/rpc/message-port-transport';

/**
 * The only bridge between the page and the rest of the app. The MessagePort to core stays here, in the
 * isolated world; the page gets two functions and nothing else (no ipcRenderer, no port, no Node).
 */
const transport = createMessagePortTransport();

ipcRenderer.on(IPC_CHANNELS.port, (event) => {
  // Electron types `ports` as the DOM MessagePort, which the Node tsconfig does not know.
  const [port] = (event as unknown as { ports: MessagePortLike[] }).ports;
  if (port) transport.attach(port);
});
ipcRenderer.on(IPC_CHANNELS.coreExited, () =>
  transport.detach({ code: 'UNAVAILABLE', message: 'KIKI core stopped and is restarting. Try again in a moment.' }),
);

const kiki: KikiBridge = {
  invoke: (method, params) => transport.invoke(method, params),
  onEvent: (listener) => transport.onEvent(listener),
};

contextBridge.exposeInMainWorld('kiki', kiki);
ipcRenderer.send(IPC_CHANNELS.requestPort);
