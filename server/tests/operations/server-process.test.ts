import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const SERVER_DIR = join(import.meta.dirname, '..', '..');

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ migrated: false });
});
afterAll(async () => {
  await database.destroy();
});

describe('server process', () => {
  it('migrates, prints its URL, serves, and exits cleanly on SIGTERM', async () => {
    // Plain node with tsx as a loader, like `npm start`: the tsx CLI relays SIGTERM to its child with a
    // 30 ms handshake and SIGKILLs it when the machine is busy, which would defeat graceful shutdown.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: SERVER_DIR,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        PORT: '0',
        LOG_LEVEL: 'warn',
        KIKI_JWT_SECRET: 'process-test-secret-that-is-long-enough',
        KIKI_TOTP_KEY: Buffer.alloc(32, 3).toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /KIKI server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`server exited early with ${String(code)}: ${stderr}`)));
    });
    try {
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, migrations: { current: true } });
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code, `exit code after SIGTERM; stderr: ${stderr}`).toBe(0);
    }
  });
});
