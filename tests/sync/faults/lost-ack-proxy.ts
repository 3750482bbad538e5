import http from 'node:http';
import net from 'node:net';
import { SYNC_PATHS } from '@kiki/shared/sync/sync-protocol';

/**
 * An HTTP relay on 127.0.0.1 that can lose acknowledgements: an armed push is forwarded, the server answers in
 * full (so it has applied the mutations), then the relay drops the connection instead of passing the answer on,
 * which is what the device sees when the network fails after the server committed. WebSocket upgrades are
 * relayed byte for byte so live pokes still arrive.
 */
export interface LostAckProxy {
  url: string;
  /** The next `count` pushes reach the server, but their answers never reach the device. */
  dropPushAnswers(count: number): void;
  /** Push answers the device did receive, and those that were dropped, parsed, in order. */
  delivered: unknown[];
  dropped: unknown[];
  close(): Promise<void>;
}

export async function lostAckProxy(targetPort: number): Promise<LostAckProxy> {
  let toDrop = 0;
  const delivered: unknown[] = [];
  const dropped: unknown[] = [];
  const sockets = new Set<net.Socket>();

  const server = http.createServer((req, res) => {
    const isPush = req.method === 'POST' && req.url === SYNC_PATHS.push;
    const drop = isPush && toDrop > 0;
    if (drop) toDrop -= 1;
    const upstream = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          if (isPush) (drop ? dropped : delivered).push(JSON.parse(body.toString('utf8')) as unknown);
          if (drop) {
            req.socket.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    const upstream = net.connect(targetPort, '127.0.0.1', () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    sockets.add(upstream);
    const drop = () => {
      upstream.destroy();
      socket.destroy();
      sockets.delete(upstream);
    };
    upstream.on('error', drop).on('close', drop);
    socket.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropPushAnswers(count) {
      toDrop = count;
    },
    delivered,
    dropped,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
