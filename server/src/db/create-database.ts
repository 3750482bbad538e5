import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database';
import { pgTypes } from './pg-types';

export interface DatabaseOptions {
  /** postgres:// URL */
  url: string;
  maxConnections?: number;
}

/** A Kysely handle over a pg pool with the server's type parsers. Call `db.destroy()` to close it. */
export function createDatabase(options: DatabaseOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    types: pgTypes,
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
