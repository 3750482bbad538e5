import { sql, type Kysely } from 'kysely';
import { Migrator, type MigrationResultSet } from 'kysely/migration';
import { AppError } from '@kiki/shared/errors';
import { LATEST_MIGRATION, migrationProvider } from '../../migrations/migrations.index';

function migratorFor(db: Kysely<unknown>): Migrator {
  // Kysely's Migrator holds a PostgreSQL advisory lock for the whole run, so instances starting
  // together migrate one after the other instead of colliding.
  return new Migrator({ db, provider: migrationProvider });
}

/** Brings the database to the latest migration. Throws an AppError naming the migration that failed. */
export async function runMigrations<T>(db: Kysely<T>): Promise<MigrationResultSet> {
  const result = await migratorFor(db as unknown as Kysely<unknown>).migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const reason = result.error instanceof Error ? result.error.message : JSON.stringify(result.error);
    throw new AppError('UNAVAILABLE', `Database migration ${failed} failed: ${reason}`, { cause: reason });
  }
  return result;
}

export interface MigrationStatus {
  current: boolean;
  applied: string[];
  pending: string[];
  latest: string;
}

export async function getMigrationStatus<T>(db: Kysely<T>): Promise<MigrationStatus> {
  const migrations = await migratorFor(db as unknown as Kysely<unknown>).getMigrations();
  const applied = migrations.filter((m) => m.executedAt !== undefined).map((m) => m.name);
  const pending = migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
  return { current: pending.length === 0, applied, pending, latest: LATEST_MIGRATION };
}

/** A cheap round trip used by readiness checks. */
export async function pingDatabase<T>(db: Kysely<T>): Promise<void> {
  await sql`select 1`.execute(db);
}
