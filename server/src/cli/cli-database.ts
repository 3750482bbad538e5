import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { createDatabase } from '../db/create-database';
import type { Database } from '../db/database';
import { EMBEDDED_DATABASE_NAME, openDatabase } from '../db/open-database';
import { UsageError } from './cli-io';

export interface CliDatabase {
  db: Kysely<Database>;
  /** postgres:// URL of the database the command works on (with its password: never print it). */
  url: string;
  /** Where the URL came from, for messages. */
  origin: 'DATABASE_URL' | 'running embedded server' | 'embedded server started for this command';
  close(): Promise<void>;
}

/** The two settings the CLI needs; the server's other settings (secrets, ports) are none of its business. */
const cliEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  // Same default as the server's config, so `kiki-server` run from the same directory finds the same data.
  KIKI_DATA_DIR: z.string().min(1).default('.data/server'),
});

export function readCliEnv(env: NodeJS.ProcessEnv): z.infer<typeof cliEnvSchema> {
  const parsed = cliEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')}: ${i.message}`);
    throw new UsageError(`Invalid environment. ${problems.join('; ')}`);
  }
  return parsed.data;
}

const credentialsSchema = z.object({ password: z.string().min(1) });

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the `postgres` user when the server runs as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A running embedded server announces itself in postmaster.pid (line 1 the pid, line 4 the port); the
 * superuser password sits beside the cluster in embedded-pg.json. Returns the URL of the server's own
 * database on it, or null when nothing is running.
 */
export async function findRunningEmbeddedServer(dataDir: string): Promise<string | null> {
  const root = resolve(dataDir);
  let pidFile: string;
  try {
    pidFile = await readFile(join(root, 'pg', 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = pidFile.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  if (!isProcessAlive(pid)) return null;
  const credentials = credentialsSchema.parse(JSON.parse(await readFile(join(root, 'embedded-pg.json'), 'utf8')));
  return `postgres://postgres:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE_NAME}`;
}

/**
 * The database an admin command works on: DATABASE_URL when set; otherwise the embedded PostgreSQL of
 * the data directory, joining a server that is already running on it (two postmasters cannot share a
 * cluster) or starting it just for this command through the server's own `openDatabase` (and stopping it
 * again in `close`).
 */
export async function openCliDatabase(env: NodeJS.ProcessEnv): Promise<CliDatabase> {
  const settings = readCliEnv(env);
  if (settings.DATABASE_URL !== undefined) {
    const opened = await openDatabase({ databaseUrl: settings.DATABASE_URL, dataDir: settings.KIKI_DATA_DIR });
    return { db: opened.db, url: opened.url, origin: 'DATABASE_URL', close: () => opened.close() };
  }
  const running = await findRunningEmbeddedServer(settings.KIKI_DATA_DIR);
  if (running !== null) {
    const db = createDatabase({ url: running, maxConnections: 2 });
    return { db, url: running, origin: 'running embedded server', close: () => db.destroy() };
  }
  try {
    const opened = await openDatabase({ dataDir: settings.KIKI_DATA_DIR });
    return {
      db: opened.db,
      url: opened.url,
      origin: 'embedded server started for this command',
      close: () => opened.close(),
    };
  } catch (error) {
    throw new AppError(
      'UNAVAILABLE',
      `Could not start the embedded PostgreSQL in ${resolve(settings.KIKI_DATA_DIR)}: ${
        error instanceof Error ? error.message : String(error)
      } Set DATABASE_URL to use another server, or KIKI_DATA_DIR to point at the right data directory.`,
    );
  }
}
