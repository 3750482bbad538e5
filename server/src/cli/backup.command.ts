import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { sql, type Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import { appendAudit } from '../audit/audit.service';
import { createDatabase } from '../db/create-database';
import type { Database } from '../db/database';
import { withDatabase, type CliContext } from './cli-context';
import { CLI_SOURCE, emit, UsageError } from './cli-io';
import {
  checkedPgTool,
  connectionForTool,
  readToolVersion,
  runPgTool,
  serverMajorVersion,
  type ReadToolVersion,
} from './pg-tools';

export interface BackupOptions {
  db: Kysely<Database>;
  url: string;
  out: string;
  /** Replace an existing file at `out`. */
  force: boolean;
  env: NodeJS.ProcessEnv;
  readVersion?: ReadToolVersion;
}

export interface BackupResult {
  file: string;
  bytes: number;
  serverMajor: number;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Every agency's chain records that a backup was taken, inside the backup itself. */
async function auditBackup(db: Kysely<Database>, file: string): Promise<void> {
  const orgs = await db.selectFrom('organizations').select('id').execute();
  if (orgs.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const org of orgs) {
      await appendAudit(trx, {
        orgId: org.id,
        actorUserId: null,
        action: 'admin.backup',
        entityType: 'database',
        entityId: null,
        data: { ...CLI_SOURCE, file: basename(file) },
      });
    }
  });
}

/**
 * A custom-format (`pg_dump -Fc`) archive of the whole database, written to a private temp file first so
 * a failed dump never leaves a truncated file under the real name. The archive holds password hashes and
 * sealed TOTP secrets, so it is created readable by its owner only.
 */
export async function backupDatabase(options: BackupOptions): Promise<BackupResult> {
  const out = resolve(options.out);
  if (!options.force && (await exists(out))) {
    throw new AppError('CONFLICT', `${out} already exists; choose another --out or pass --force to replace it.`);
  }
  const serverMajor = await serverMajorVersion(options.db);
  const pgDump = await checkedPgTool('pg_dump', options.env, serverMajor, options.readVersion ?? readToolVersion);
  await auditBackup(options.db, out);

  const partial = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.partial`);
  const handle = await open(partial, 'wx', 0o600);
  await handle.close();
  try {
    const { dbnameUri, password } = connectionForTool(options.url);
    await runPgTool(pgDump.path, ['--format=custom', '--no-password', `--file=${partial}`, `--dbname=${dbnameUri}`], {
      env: options.env,
      password,
    });
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { file: out, bytes: (await stat(out)).size, serverMajor };
}

export interface RestoreOptions {
  file: string;
  /** The database to restore into. */
  targetUrl: string;
  /** Replace the contents of a database that already has tables. */
  force: boolean;
  env: NodeJS.ProcessEnv;
  readVersion?: ReadToolVersion;
}

export interface RestoreResult {
  file: string;
  tables: number;
  agencies: number;
}

async function countTables(db: Kysely<Database>): Promise<number> {
  const result = await sql<{ n: string }>`
    select count(*) as n from pg_catalog.pg_tables
    where schemaname not in ('pg_catalog', 'information_schema')`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

async function assertCustomArchive(file: string): Promise<void> {
  const head = Buffer.alloc(5);
  try {
    // Only the magic bytes: archives can be gigabytes.
    const handle = await open(file, 'r');
    try {
      await handle.read(head, 0, 5, 0);
    } finally {
      await handle.close();
    }
  } catch {
    throw new AppError('NOT_FOUND', `Cannot read ${file}; check the path given to --in.`);
  }
  if (head.toString('latin1') !== 'PGDMP') {
    throw new AppError(
      'VALIDATION_FAILED',
      `${file} is not a pg_dump custom-format archive (made by \`kiki-server backup\`).`,
    );
  }
}

/**
 * Restores an archive made by `backupDatabase` into `targetUrl` in one transaction: it either fully
 * succeeds or leaves the target as it was. A target that already has tables is refused unless `force`,
 * which drops and recreates every object the archive contains. Afterwards every restored agency's chain
 * records the restore, so the audit log shows that history was replaced.
 */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreResult> {
  const file = resolve(options.file);
  await assertCustomArchive(file);
  const target = createDatabase({ url: options.targetUrl, maxConnections: 1 });
  try {
    const serverMajor = await serverMajorVersion(target);
    const pgRestore = await checkedPgTool(
      'pg_restore',
      options.env,
      serverMajor,
      options.readVersion ?? readToolVersion,
    );
    const existing = await countTables(target);
    if (existing > 0 && !options.force) {
      throw new AppError(
        'CONFLICT',
        `The target database already has ${existing} table(s). Restore into a new, empty database ` +
          '(e.g. `createdb kiki_restored` and --into its URL) or pass --force to replace its contents.',
      );
    }
    const { dbnameUri, password } = connectionForTool(options.targetUrl);
    const args = ['--no-owner', '--single-transaction', '--exit-on-error', '--no-password', `--dbname=${dbnameUri}`];
    if (existing > 0) args.push('--clean', '--if-exists');
    try {
      await runPgTool(pgRestore.path, [...args, file], { env: options.env, password });
    } catch (error) {
      if (error instanceof AppError && /role "kiki_app" does not exist/.test(error.message)) {
        throw new AppError(
          'UNAVAILABLE',
          'The archive grants privileges to the kiki_app role, which this PostgreSQL server does not have: ' +
            'run `CREATE ROLE kiki_app NOLOGIN;` on it as a superuser, then restore again. Nothing was restored.',
        );
      }
      throw error;
    }
    const orgs = await target.selectFrom('organizations').select('id').execute();
    await target.transaction().execute(async (trx) => {
      for (const org of orgs) {
        await appendAudit(trx, {
          orgId: org.id,
          actorUserId: null,
          action: 'admin.restored',
          entityType: 'database',
          entityId: null,
          data: { ...CLI_SOURCE, file: basename(file) },
        });
      }
    });
    return { file, tables: await countTables(target), agencies: orgs.length };
  } finally {
    await target.destroy();
  }
}

/**
 * `npm run server:admin` runs in the server workspace, not where the admin typed the command; npm keeps
 * that directory in INIT_CWD, so relative --out/--in paths mean what the admin expects.
 */
export function userPath(env: NodeJS.ProcessEnv, path: string): string {
  return resolve(env.INIT_CWD ?? process.cwd(), path);
}

export function registerBackupCommands(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description('write a pg_dump custom-format archive of the whole database')
    .requiredOption('--out <file>', 'where to write the archive, e.g. kiki-2026-01-31.dump')
    .option('--force', 'replace the file if it exists', false)
    .action(async (options: { out: string; force: boolean }) => {
      const result = await withDatabase(
        ctx,
        ({ db, url }) =>
          backupDatabase({ db, url, out: userPath(ctx.io.env, options.out), force: options.force, env: ctx.io.env }),
        { migrate: false },
      );
      emit(
        ctx.io,
        ctx.json(),
        `Backed up PostgreSQL ${result.serverMajor} to ${result.file} (${result.bytes} bytes).`,
        result,
      );
    });

  program
    .command('restore')
    .description('restore an archive made by `backup` (refuses a non-empty target without --force)')
    .requiredOption('--in <file>', 'the archive to restore')
    .option('--into <url>', "the database to restore into (default: the server's own database)")
    .option('--force', 'replace the contents of a target database that already has tables', false)
    .action(async (options: { in: string; into?: string; force: boolean }) => {
      const into = options.into;
      if (into !== undefined && !/^postgres(ql)?:\/\//.test(into)) {
        throw new UsageError('--into must be a postgres:// connection URL.');
      }
      const restore = (targetUrl: string) =>
        restoreDatabase({ file: userPath(ctx.io.env, options.in), targetUrl, force: options.force, env: ctx.io.env });
      const result =
        into !== undefined
          ? await restore(into)
          : await withDatabase(
              ctx,
              async ({ url, origin }) => {
                if (origin === 'running embedded server') {
                  throw new AppError(
                    'CONFLICT',
                    'The server is running on this database; stop it before restoring into it, or restore --into another database.',
                  );
                }
                return restore(url);
              },
              { migrate: false },
            );
      emit(
        ctx.io,
        ctx.json(),
        `Restored ${result.file}: ${result.tables} tables, ${result.agencies} agencies. Start the server to apply any newer migrations.`,
        result,
      );
    });
}
