import { execFile, spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';

export type PgTool = 'pg_dump' | 'pg_restore';

/** Reads `<tool> --version`; a parameter so tests can pose as another PostgreSQL version. */
export type ReadToolVersion = (toolPath: string) => Promise<string>;

const execFileAsync = promisify(execFile);

export const readToolVersion: ReadToolVersion = async (toolPath) => {
  const { stdout } = await execFileAsync(toolPath, ['--version'], { timeout: 10_000 });
  return stdout;
};

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** KIKI_PG_BIN (a directory) wins over PATH, so an admin can point at the client matching their server. */
export async function findPgTool(tool: PgTool, env: NodeJS.ProcessEnv): Promise<string> {
  const pinned = env.KIKI_PG_BIN;
  if (pinned !== undefined && pinned !== '') {
    const path = join(pinned, tool);
    if (await isExecutable(path)) return path;
    throw new AppError(
      'UNAVAILABLE',
      `${tool} was not found in KIKI_PG_BIN (${pinned}); point KIKI_PG_BIN at the bin directory of a PostgreSQL client.`,
    );
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    const path = join(dir, tool);
    if (await isExecutable(path)) return path;
  }
  throw new AppError(
    'UNAVAILABLE',
    `${tool} was not found on PATH. Install the PostgreSQL client matching your server ` +
      `(Debian/Ubuntu: apt-get install postgresql-client-15) or set KIKI_PG_BIN to the directory that holds ${tool}.`,
  );
}

/** "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" → 15. */
export function parseToolMajor(versionText: string): number | null {
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(versionText);
  return match?.[1] === undefined ? null : Number(match[1]);
}

export async function serverMajorVersion<T>(db: Kysely<T>): Promise<number> {
  const result = await sql<{ v: string }>`select current_setting('server_version_num') as v`.execute(db);
  const num = Number(result.rows[0]?.v);
  return Math.floor(num / 10_000);
}

/**
 * The client and the server must be the same major version: an older pg_dump cannot read a newer server,
 * and a newer one writes archives an older pg_restore cannot read back.
 */
export function assertToolMatchesServer(tool: PgTool, toolMajor: number | null, serverMajor: number): void {
  const fix = `install postgresql-client-${serverMajor} or set KIKI_PG_BIN to its bin directory`;
  if (toolMajor === null) {
    throw new AppError('UNAVAILABLE', `Could not tell which version ${tool} is; ${fix}.`);
  }
  if (toolMajor === serverMajor) return;
  const verb = tool === 'pg_dump' ? 'back up' : 'restore into';
  const message =
    toolMajor < serverMajor
      ? `${tool} ${toolMajor} cannot ${verb} a PostgreSQL ${serverMajor} server: ${fix}.`
      : `${tool} ${toolMajor} does not match the PostgreSQL ${serverMajor} server ` +
        `(archives would not be portable to PostgreSQL ${serverMajor} tools): ${fix}.`;
  throw new AppError('UNAVAILABLE', message);
}

export async function checkedPgTool(
  tool: PgTool,
  env: NodeJS.ProcessEnv,
  serverMajor: number,
  readVersion: ReadToolVersion = readToolVersion,
): Promise<{ path: string; major: number }> {
  const path = await findPgTool(tool, env);
  const major = parseToolMajor(await readVersion(path));
  assertToolMatchesServer(tool, major, serverMajor);
  return { path, major: major ?? serverMajor };
}

/**
 * Splits a connection URL into what may appear on a command line (the URL without its password, which
 * `ps` would show to every user) and the password, which travels in PGPASSWORD.
 */
export function connectionForTool(url: string): { dbnameUri: string; password: string | null } {
  const parsed = new URL(url);
  const password = parsed.password === '' ? null : decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbnameUri: parsed.toString(), password };
}

/** Runs a PostgreSQL client tool; a non-zero exit becomes an AppError carrying its stderr. */
export async function runPgTool(
  toolPath: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; password: string | null },
): Promise<{ stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...options.env };
  delete env.PGPASSWORD;
  if (options.password !== null) env.PGPASSWORD = options.password;
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 64_000) stderr += chunk;
    });
    child.once('error', (error) => reject(new AppError('UNAVAILABLE', `Could not run ${toolPath}: ${error.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve({ stderr });
      else reject(new AppError('UNAVAILABLE', `${toolPath} failed (exit ${String(code)}): ${stderr.trim()}`));
    });
  });
}
