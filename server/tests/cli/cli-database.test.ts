import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRunningEmbeddedServer, readCliEnv } from '../../src/cli/cli-database';
import { connectionForTool, parseToolMajor } from '../../src/cli/pg-tools';
import { openDatabase } from '../../src/db/open-database';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { runKiki } from './cli-harness';
import { LATEST_MIGRATION, serverMigrations } from '../../migrations/migrations.index';

const ALL_MIGRATIONS = Object.keys(serverMigrations).sort();

const execFileAsync = promisify(execFile);
const launcher = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/kiki-server.js');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiki-cli-db-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('finding a running embedded server', () => {
  async function fakeCluster(name: string, pid: number, port: number): Promise<string> {
    const dataDir = join(dir, name);
    await mkdir(join(dataDir, 'pg'), { recursive: true });
    await writeFile(join(dataDir, 'pg', 'postmaster.pid'), `${pid}\n${dataDir}/pg\n1700000000\n${port}\n\n127.0.0.1\n`);
    await writeFile(join(dataDir, 'embedded-pg.json'), JSON.stringify({ password: 'p@ss/word with spaces' }));
    return dataDir;
  }

  it('reads the port from postmaster.pid and the password from beside the cluster', async () => {
    const dataDir = await fakeCluster('alive', process.pid, 54_321);
    const url = await findRunningEmbeddedServer(dataDir);
    expect(url).not.toBeNull();
    const parsed = new URL(url ?? '');
    expect(parsed.port).toBe('54321');
    expect(parsed.hostname).toBe('127.0.0.1');
    expect(parsed.pathname).toBe('/kiki');
    expect(decodeURIComponent(parsed.password)).toBe('p@ss/word with spaces');
  });

  it('ignores a stale postmaster.pid whose process is gone, and a missing one', async () => {
    const stale = await fakeCluster('stale', 2_147_483_000, 54_322);
    expect(await findRunningEmbeddedServer(stale)).toBeNull();
    expect(await findRunningEmbeddedServer(join(dir, 'never-created'))).toBeNull();
  });
});

describe('CLI environment and tool helpers', () => {
  it('names the wrong variable', () => {
    expect(() => readCliEnv({ DATABASE_URL: 'mysql://x' })).toThrow(
      'DATABASE_URL: must be a postgres:// connection URL',
    );
    expect(readCliEnv({}).KIKI_DATA_DIR).toBe('.data/server');
  });

  it('keeps the password off the command line', () => {
    const { dbnameUri, password } = connectionForTool(
      'postgres://admin:s%40cret@db.internal:5433/kiki?sslmode=require',
    );
    expect(password).toBe('s@cret');
    expect(dbnameUri).not.toContain('cret');
    expect(dbnameUri).toBe('postgres://admin@db.internal:5433/kiki?sslmode=require');
  });

  it('reads the major version of a client tool', () => {
    expect(parseToolMajor('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n')).toBe(15);
    expect(parseToolMajor('pg_restore (PostgreSQL) 16.2')).toBe(16);
    expect(parseToolMajor('something else')).toBeNull();
  });
});

describe('migrate', () => {
  let empty: TestDatabase;
  beforeAll(async () => {
    empty = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await empty.destroy();
  });

  it('applies the migrations once and then reports the schema up to date', async () => {
    const first = await runKiki(empty.url, ['--json', 'migrate']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      applied: ALL_MIGRATIONS,
      latest: LATEST_MIGRATION,
      current: true,
    });
    const second = await runKiki(empty.url, ['migrate']);
    expect(second.stdout).toBe(`Already up to date (latest ${LATEST_MIGRATION}).`);
    const status = await runKiki(empty.url, ['migrate', '--status']);
    expect(status.stdout).toContain('pending: (none)');
  });
});

describe('the embedded PostgreSQL of the data directory', () => {
  it('joins a running server, or starts one for the command and stops it afterwards', async () => {
    // Its own temp dir: when run as root the cluster is handed to the `postgres` user, who must reach it.
    const dataDir = await mkdtemp(join(tmpdir(), 'kiki-cli-embedded-'));
    const env = { DATABASE_URL: undefined, KIKI_DATA_DIR: dataDir };
    try {
      // As `npm run server` does: the cluster plus the server's own database on it.
      const server = await openDatabase({ dataDir });
      try {
        const joined = await runKiki('', ['migrate'], { env });
        expect(joined.stderr).toBe('');
        expect(joined.stdout).toBe(`Applied ${ALL_MIGRATIONS.join(', ')}; now at ${LATEST_MIGRATION}.`);
      } finally {
        await server.close();
      }
      await expect(stat(join(dataDir, 'pg', 'postmaster.pid'))).rejects.toThrow();

      const started = await runKiki('', ['migrate'], { env });
      expect(started.code).toBe(0);
      // The same cluster (its migrations were already applied), and it is stopped again afterwards.
      expect(started.stdout).toBe(`Already up to date (latest ${LATEST_MIGRATION}).`);
      await expect(stat(join(dataDir, 'pg', 'postmaster.pid'))).rejects.toThrow();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the kiki-server launcher', () => {
  async function launch(args: string[], env: NodeJS.ProcessEnv) {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [launcher, ...args], { env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('runs the TypeScript CLI and passes its exit codes through', async () => {
    const database = await createTestDatabase();
    try {
      const env = { PATH: process.env.PATH, DATABASE_URL: database.url };
      const usage = await launch(['users', 'add', '--org', 'x'], env);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("required option '--email <email>'");
      const failed = await launch(['audit', 'verify', '--org', 'Nobody'], env);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('No agency is called "Nobody"');
      const ok = await launch(['--json', 'agency', 'list'], env);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual([]);
    } finally {
      await database.destroy();
    }
  });
});
