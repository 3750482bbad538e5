import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { AppError } from '@kiki/shared/errors';
import { desktopMigrations } from '../../../migrations/migrations.index';
import type { Database } from './database.types';

/** The local cache: Kysely for typed queries, the raw handle for prepared statements on hot paths. */
export interface AppDatabase {
  db: Kysely<Database>;
  sqlite: BetterSqlite3.Database;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A file path, or ':memory:' for tests. */
  filename: string;
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  /**
   * Path of a better_sqlite3.node built for the running runtime. Unpackaged Electron (npm start, Electron e2e)
   * passes its Electron-ABI build here, so node_modules keeps the Node build that tests and the web host use.
   */
  nativeBinding?: string;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<AppDatabase> {
  if (options.filename !== ':memory:') fs.mkdirSync(path.dirname(options.filename), { recursive: true });
  const sqlite = new BetterSqlite3(
    options.filename,
    options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding } : {},
  );
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commit.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma('temp_store = MEMORY');
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const handle: AppDatabase = {
    db,
    sqlite,
    close: async () => {
      // Kysely closes the sqlite handle only if it ever opened a connection.
      await db.destroy();
      if (sqlite.open) sqlite.close();
    },
  };
  if (options.migrate !== false) {
    try {
      await migrateToLatest(db);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return handle;
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = createMigrator(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError(
      'INTERNAL',
      `The local cache could not be upgraded (migration ${failed} failed). Close other KIKI windows and restart; ` +
        `if it persists, remove kiki.sqlite from the data folder to rebuild the cache.`,
      { cause: error instanceof Error ? error.message : JSON.stringify(error) },
    );
  }
}

export function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(desktopMigrations) },
  });
}

/** How many migrations this database has applied: the schema version reported by `app.status`. */
export async function schemaVersion(db: Kysely<Database>): Promise<number> {
  const migrations = await createMigrator(db).getMigrations();
  return migrations.filter((m) => m.executedAt !== undefined).length;
}
