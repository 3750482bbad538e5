import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRpcClient } from '@kiki/shared/rpc/rpc-client';
import { createWebSocketTransport } from '@kiki/shared/rpc/websocket-client-transport';

const root = path.resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(path.join(tmpdir(), 'kiki-web-host-cli-'));
const TOKEN = 'cli-test-token-0123456789';
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('web host CLI (electron/web-host/main.ts)', () => {
  it('prints the ready URL, serves real core over RPC and exits cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'electron/web-host/main.ts',
        '--port',
        '0',
        '--data-dir',
        path.join(work, 'data'),
        '--renderer-dir',
        work,
      ],
      { cwd: root, env: { ...process.env, KIKI_WEB_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.on('line', (line) => {
          const match = /^KIKI Desktop \(web host\) ready: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/.exec(line);
          if (match?.[1]) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`web host exited early with ${code}`)));
      });
      const page = new URL(url);
      expect(page.searchParams.get('token')).toBe(TOKEN);

      class LocalWebSocket extends WebSocket {
        constructor(address: string) {
          super(address, { origin: page.origin });
        }
      }
      const transport = createWebSocketTransport({
        url: `ws://${page.host}/rpc?token=${TOKEN}`,
        WebSocket: LocalWebSocket,
      });
      const status = await createRpcClient(transport).call('app.status', {});
      transport.close();
      expect(status).toMatchObject({ ok: true, value: { appVersion: version, counts: { clients: 0 } } });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
