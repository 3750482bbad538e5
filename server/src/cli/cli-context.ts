import type { MigrationResult } from 'kysely/migration';
import { runMigrations } from '../db/migrate';
import { openCliDatabase, type CliDatabase } from './cli-database';
import type { CliIo } from './cli-io';

/** What every command group is registered with. */
export interface CliContext {
  io: CliIo;
  /** Whether `--json` was given (read at action time, after commander parsed it). */
  json(): boolean;
  openDatabase(env: NodeJS.ProcessEnv): Promise<CliDatabase>;
}

export function defaultOpenDatabase(env: NodeJS.ProcessEnv): Promise<CliDatabase> {
  return openCliDatabase(env);
}

/**
 * Runs `fn` on the command's database and always closes it (stopping an embedded server started for the
 * command). Data commands migrate first, under the migrator's lock: on a fresh data directory
 * `agency create` must work before the server has ever started.
 */
export async function withDatabase<T>(
  ctx: CliContext,
  fn: (database: CliDatabase) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const database = await ctx.openDatabase(ctx.io.env);
  try {
    if (options.migrate !== false) {
      const result = await runMigrations(database.db);
      const applied = appliedMigrations(result.results);
      if (applied.length > 0) ctx.io.stderr(`Applied migrations first: ${applied.join(', ')}`);
    }
    return await fn(database);
  } finally {
    await database.close();
  }
}

export function appliedMigrations(results: readonly MigrationResult[] | undefined): string[] {
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
