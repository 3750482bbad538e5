import net from 'node:net';

/**
 * A TCP relay on 127.0.0.1 between one desktop and the team server: cutting it drops every open connection
 * (the live WebSocket included) and resets new ones, as pulling a network cable does, which a failing fetch
 * alone would not (the socket would keep delivering pokes).
 */
export interface CuttableLink {
  url: string;
  readonly up: boolean;
  cut(): void;
  restore(): void;
  /** Points the link at another server (a second instance, or a restarted one on a new port). */
  retarget(port: number): void;
  close(): Promise<void>;
}

export async function cuttableLink(targetPort: number): Promise<CuttableLink> {
  let target = targetPort;
  let up = true;
  const open = new Set<net.Socket>();

  const server = net.createServer((incoming) => {
    if (!up) {
      incoming.resetAndDestroy();
      return;
    }
    const outgoing = net.connect(target, '127.0.0.1');
    open.add(incoming);
    open.add(outgoing);
    const drop = () => {
      incoming.destroy();
      outgoing.destroy();
      open.delete(incoming);
      open.delete(outgoing);
    };
    incoming.on('error', drop).on('close', drop);
    outgoing.on('error', drop).on('close', drop);
    incoming.pipe(outgoing);
    outgoing.pipe(incoming);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;

  function cutAll(): void {
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
  }

  return {
    url: `http://127.0.0.1:${address.port}`,
    get up() {
      return up;
    },
    cut() {
      up = false;
      cutAll();
    },
    restore() {
      up = true;
    },
    retarget(port) {
      target = port;
      cutAll();
    },
    close() {
      up = false;
      cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
