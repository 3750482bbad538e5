import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Config } from '../config';
import { createDatabase } from './create-database';
import type { Database } from './database';
import { startEmbeddedPostgres } from './embedded-postgres';

export const EMBEDDED_DATABASE_NAME = 'kiki';

export interface OpenedDatabase {
  db: Kysely<Database>;
  /** The URL actually used (embedded or DATABASE_URL); contains credentials, never log it. */
  url: string;
  embedded: boolean;
  /** Closes the pool and stops the embedded server if one was started. */
  close(): Promise<void>;
}

async function ensureDatabaseExists(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * The server's database: DATABASE_URL when configured, otherwise an embedded PostgreSQL kept in
 * `config.dataDir` so `npm run server` needs no set-up. Used by the server, migrations and the admin CLI.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  onLog: (message: string) => void = () => undefined,
): Promise<OpenedDatabase> {
  const onIdleError = (error: Error) => onLog(`idle database connection failed: ${error.message}`);
  if (config.databaseUrl !== undefined) {
    const db = createDatabase({ url: config.databaseUrl, onIdleError });
    return { db, url: config.databaseUrl, embedded: false, close: () => db.destroy() };
  }
  const server = await startEmbeddedPostgres({ dataDir: config.dataDir, onLog });
  try {
    await ensureDatabaseExists(server.url, EMBEDDED_DATABASE_NAME);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const url = new URL(server.url);
  url.pathname = `/${EMBEDDED_DATABASE_NAME}`;
  const db = createDatabase({ url: url.toString(), onIdleError });
  return {
    db,
    url: url.toString(),
    embedded: true,
    // embedded-postgres also stops its cluster on SIGTERM/SIGINT by itself, so stopping twice must be harmless.
    close: async () => {
      await db.destroy();
      await server.stop();
    },
  };
}
