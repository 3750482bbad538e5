import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** Fixed, obviously-fake secrets shared by every instance on one database, so tokens work across instances. */
export const CHILD_SERVER_SECRETS = {
  jwtSecret: 'fault-test-jwt-secret-that-is-long-enough-for-hs256',
  totpKey: Buffer.alloc(32, 9),
};

/** A port nobody listens on right now, kept for every restart of one server so devices find it again. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The real team server (`server/src/server.ts`, the production entry point) in a child process, so a test can
 * `kill -9` it or stop it gracefully, then start it again on the same port and database.
 */
export interface ServerProcess {
  url: string;
  port: number;
  /** Starts the process (again); resolves once it listens. */
  start(): Promise<void>;
  /** Sends `signal` and waits for the process to exit. SIGKILL is `kill -9`: no shutdown code runs. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Everything the process wrote to stderr, for failure messages. */
  stderr(): string;
  running(): boolean;
}

export async function serverProcess(databaseUrl: string, options: { port?: number } = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  let child: ChildProcess | null = null;
  let stderr = '';

  async function start(): Promise<void> {
    if (child !== null) throw new Error('the server process is already running');
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/src/server.ts')], {
      cwd: path.join(repoRoot, 'server'),
      env: {
        ...process.env,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
        KIKI_JWT_SECRET: CHILD_SERVER_SECRETS.jwtSecret,
        KIKI_TOTP_KEY: CHILD_SERVER_SECRETS.totpKey.toString('base64'),
        KIKI_RATE_LIMIT_PER_MINUTE: '1000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    proc.once('exit', () => {
      if (child === proc) child = null;
    });
    await new Promise<void>((resolve, reject) => {
      // Only the start-up output is kept; later lines are read and dropped so the pipe never fills.
      let out: string | null = '';
      const timeout = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`the server did not start within 60 s:\n${stderr}`));
      }, 60_000);
      proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (out === null) return;
        out += chunk;
        if (out.includes('KIKI server listening on')) {
          out = null;
          clearTimeout(timeout);
          resolve();
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timeout);
        reject(new Error(`the server exited before listening (${code ?? signal ?? '?'}):\n${stderr}`));
      });
    });
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    start,
    async kill(signal) {
      const proc = child;
      if (proc === null) return;
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill(signal);
      });
    },
    stderr: () => stderr,
    running: () => child !== null,
  };
}
